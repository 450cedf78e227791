// What keeps a repository's files few and its acknowledged events honest:
// the high-water check at open, `starlog repair`, and the flush at close.

#include <rocksdb/db.h>
#include <rocksdb/transaction_log.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/store/event_store_impl.h"
#include "engine/store/rocks_status.h"

namespace starlog::engine {

bool IsVanishedFile(const rocksdb::Status& s) {
  if (s.IsPathNotFound()) return true;
  const std::string text = s.ToString();
  return (s.IsCorruption() && text.find("Can't access") != std::string::npos) ||
         (s.IsIOError() && text.find("No such file") != std::string::npos);
}

namespace {

// A key no family holds, deleted to mark a flush for followers (below).
const std::string& FlushMarkerKey() {
  static const std::string key(16, '\xff');
  return key;
}

}  // namespace

void FlushListener::OnFlushCompleted(rocksdb::DB* /*db*/, const rocksdb::FlushJobInfo& /*info*/) {
  flushed_ = true;
}

Status EventStoreImpl::MarkFlushed() {
  // A follower (a RocksDB secondary instance) replays the writer's log into
  // its own memtable, and reads it before the table files. When the writer
  // flushes and retires a log before the follower has read its last records,
  // the follower's memtable keeps the older value of every key rewritten
  // since, the meta head above all, and RocksDB 7.8 seals that memtable only
  // when a record of a newer log arrives for the family: the follower saw
  // the last commit only with the next one. This record is that newer one.
  if (!flush_listener_->TakeFlushed()) return Status::OK();
  rocksdb::WriteBatch batch;
  batch.Delete(handles_[Family::kMeta], FlushMarkerKey());
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "mark a flush for followers");
}

void EventStoreImpl::NoteCommitted() {
  static_cast<void>(MarkFlushed());  // Best effort: a follower then waits for the next commit.
  // Only a synced commit is acknowledged as durable; an unsynced one may be
  // lost by a power cut, legitimately, and must not raise the mark.
  if (!options_.sync) return;
  static_cast<void>(high_water_.Record(head_, /*sync=*/false));  // Best effort (header).
}

Status EventStoreImpl::CheckAcknowledged(const std::optional<Head>& acknowledged) {
  if (!acknowledged || acknowledged->sequence == 0) return Status::OK();
  const uint64_t held = head().sequence;
  if (acknowledged->sequence > held) {
    lost_events_ = true;
    const std::string lost = acknowledged->sequence == held + 1
                                 ? "event " + std::to_string(held + 1)
                                 : "events " + std::to_string(held + 1) + " to " +
                                       std::to_string(acknowledged->sequence);
    return Status::Corruption(
        "repository " + root_ + " acknowledged events up to " +
        std::to_string(acknowledged->sequence) + " but its log holds only " + std::to_string(held) +
        ": " + lost +
        " were lost from RocksDB's write-ahead log (damaged on disk); refusing to open, "
        "since the next write would reuse their sequence numbers. Run `starlog repair " +
        root_ + "` to keep the " + std::to_string(held) +
        " events that verify and record the loss (a replica then refills from its primary)");
  }
  auto at = ChainHashAt(acknowledged->sequence);
  if (at.ok() && *at != acknowledged->chain_hash) {
    lost_events_ = true;
    return Status::Corruption("repository " + root_ + ": the log's chain hash at event " +
                              std::to_string(acknowledged->sequence) + " is " + at->ToHex() +
                              ", not the acknowledged " + acknowledged->chain_hash.ToHex() +
                              " (its log was replaced?); run `starlog repair " + root_ +
                              "` to accept the log as it is");
  }
  return Status::OK();
}

void EventStoreImpl::FlushIfLogsPileUp() {
  rocksdb::VectorLogPtr wals;
  if (!db_->GetSortedWalFiles(wals).ok()) return;
  size_t live = 0;
  uint64_t bytes = 0;
  for (const auto& w : wals) {
    if (w->Type() != rocksdb::kAliveLogFile) continue;
    ++live;
    bytes += w->SizeFileBytes();
  }
  if (live <= kMaxLiveWalsAtClose && bytes <= kMaxLiveWalBytesAtClose) return;
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.cf.begin(), handles_.cf.end());
  // Best effort: the logs still hold every commit if the flush fails.
  if (!db_->Flush(rocksdb::FlushOptions(), all).ok()) return;
  static_cast<void>(MarkFlushed());  // Best effort, as in NoteCommitted.
  CompactSmallTables();
  // Let the compactions that flush started finish (level 0 to 1 of small
  // families is quick), so that table files do not pile up at level 0 across
  // short-lived processes. Bounded: a large one resumes at the next open.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    uint64_t pending = 0, running = 0;
    static_cast<void>(db_->GetAggregatedIntProperty("rocksdb.compaction-pending", &pending));
    static_cast<void>(db_->GetIntProperty("rocksdb.num-running-compactions", &running));
    if (pending == 0 && running == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void EventStoreImpl::CompactSmallTables() {
  // A family keyed by sequence (the log, the heads, the time index) gets a
  // small table file per flush that overlaps nothing: RocksDB moves it down a
  // level as it is and never merges it, so files piled up without bound.
  // Merge a family's small files once there are a few: their key range is
  // narrow for such a family, and the family itself small otherwise.
  for (rocksdb::ColumnFamilyHandle* cf : handles_.cf) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(cf, &meta);
    size_t small = 0;
    std::string begin, end;
    for (const auto& level : meta.levels) {
      for (const auto& file : level.files) {
        if (file.size >= kSmallTableBytes) continue;
        if (small == 0 || file.smallestkey < begin) begin = file.smallestkey;
        if (small == 0 || file.largestkey > end) end = file.largestkey;
        ++small;
      }
    }
    if (small <= kMaxSmallTables) continue;
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    const rocksdb::Slice b(begin), e(end);
    static_cast<void>(db_->CompactRange(options, cf, &b, &e));  // Best effort: tidying.
  }
}

Status EventStoreImpl::ResetAcknowledged() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.cf.begin(), handles_.cf.end());
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), all), "flush"));
  MutexLock lock(&mu_);
  return high_water_.Record(head_, /*sync=*/true);
}

Status EventStoreImpl::TEST_FlushAndCompact() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.cf.begin(), handles_.cf.end());
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), all), "flush"));
  for (Family f : {Family::kLog, Family::kMeta, Family::kHeads}) {
    STARLOG_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(rocksdb::CompactRangeOptions(), handles_[f], nullptr, nullptr),
                  "compact"));
  }
  return MarkFlushed();
}

Result<RepairReport> EventStore::Repair(const std::string& root, const StoreOptions& options,
                                        const ProgressFn& progress) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(RegistryPath(root)) / "CURRENT", ec)) {
    return Status::NotFound("no starlog repository at " + root);
  }
  RepairReport report;
  if (auto mark = ReadHighWater(root)) report.acknowledged = mark->sequence;
  StoreOptions writable = options;
  writable.read_only = false;
  writable.follow = false;
  bool needs_rebuild = false;
  {
    auto store = std::make_unique<EventStoreImpl>(root, writable);
    store->set_repairing();
    // A repository of an older format version is repaired too: its log is
    // of no version, and the rebuild below converts its indexes.
    store->set_converting();
    STARLOG_RETURN_IF_ERROR(store->OpenDb(/*create=*/false));
    STARLOG_RETURN_IF_ERROR(store->LoadMeta(/*check_indexes=*/false));
    Status verified = store->VerifyLog();
    if (!verified.ok()) {
      return Status::Corruption("repository " + root +
                                ": the log that remains does not verify, so repair keeps "
                                "nothing and changes nothing (" +
                                verified.ToString() +
                                "); restore the repository from a replica or a backup");
    }
    report.kept = store->head().sequence;
    STARLOG_RETURN_IF_ERROR(store->ResetAcknowledged());
    needs_rebuild =
        !store->LoadMeta(/*check_indexes=*/true).ok() || store->indexes_version() < kFormatVersion;
  }
  if (needs_rebuild) {
    STARLOG_RETURN_IF_ERROR(Rebuild(root, writable, progress));
    report.rebuilt_indexes = true;
  }
  // The repository must now open as any other.
  STARLOG_RETURN_IF_ERROR(Open(root, writable).status());
  return report;
}

}  // namespace starlog::engine
