#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <filesystem>

#include "engine/model/state_machine.h"
#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/family_options.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"

namespace starlog::engine {

Status EventStoreImpl::RebuildIndexes(const ProgressFn& progress) {
  // EventStore::Rebuild owns this store alone, but ReadLog below takes mu_
  // itself: replay into a copy of the stats and publish them at the end, as
  // an append does.
  uint64_t last;
  std::array<FamilyStats, kFamilyCount> stats;
  {
    MutexLock lock(&mu_);
    last = head_.sequence;
    stats = stats_;
  }
  // An older format's recorded digests are of its own index keys, which this
  // build no longer writes: converting records the new ones in their place
  // (heads family, then the head). The chain over the frames, verified as
  // ReadLog reads them, and every rule as each event applies still hold the
  // replay to the log.
  const uint32_t from_version = indexes_version();
  const bool converting = from_version < kFormatVersion;
  Head converted;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  // Mark first: a crash from here on leaves a repository that says it needs
  // this rebuild, never one that looks whole. A conversion also says so to
  // an older starlog: the format version is the new one from here on (its
  // rebuild would stop at the first digest already rewritten), and the
  // conversion mark tells this one's next rebuild to go on converting.
  rocksdb::WriteBatch mark;
  mark.Put(handles_[Family::kMeta], std::string(kMetaRebuilding), "1");
  if (converting) {
    std::string version;
    codec::PutFixed32(&version, kFormatVersion);
    mark.Put(handles_[Family::kMeta], std::string(kMetaFormatVersion), version);
    std::string from;
    codec::PutFixed32(&from, from_version);
    mark.Put(handles_[Family::kMeta], std::string(kMetaConverting), from);
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->Write(sync, &mark), "mark rebuild"));
  // All families in one call each way: RocksDB rewrites its options file per call.
  std::vector<rocksdb::ColumnFamilyHandle*> dropped;
  std::vector<rocksdb::ColumnFamilyDescriptor> fresh;
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    dropped.push_back(handles_.cf[i]);
    fresh.emplace_back(stats[i].name, FamilyOptions(static_cast<Family>(i)));
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->DropColumnFamilies(dropped), "drop the indexes"));
  for (rocksdb::ColumnFamilyHandle* cf : dropped) {
    STARLOG_RETURN_IF_ERROR(FromRocks(db_->DestroyColumnFamilyHandle(cf), "drop the indexes"));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  STARLOG_RETURN_IF_ERROR(
      FromRocks(db_->CreateColumnFamilies(fresh, &created), "create the indexes"));
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    handles_.cf[i] = created[static_cast<size_t>(i - kFirstIndexFamily)];
    stats[i].live_entries = 0;
    stats[i].digest = {};
  }

  std::shared_ptr<const Universe> universe;
  codec::Hash128 digest;
  constexpr size_t kChunk = 1024;
  uint64_t next = 1;
  // Many events to a write: each event sees the ones before it through the
  // group's overlay, as it would have seen them in the database.
  ReplayGroup group(handles_);
  PartMap parts;  // The content partitions, replayed from nothing like the families.
  auto flush = [&](uint64_t through) {
    for (const auto& [key, delta] : group.parts()) parts[key] += delta;
    // Unsynced: until the synced write that removes the rebuild mark below
    // (which makes every earlier write of the log durable too), a crash
    // leaves a repository marked for rebuild, whatever made it to disk.
    STARLOG_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), group.batch()),
                                      "rebuild through event " + std::to_string(through)));
    group.Reset();
    return Status::OK();
  };
  if (progress) progress(0, last);
  while (next <= last) {
    STARLOG_ASSIGN_OR_RETURN(std::vector<LogRecord> records, ReadLog(next, kChunk));
    if (records.empty()) break;
    for (const LogRecord& r : records) {
      const std::string where = "event " + std::to_string(r.sequence);
      auto event = codec::DecodeEventFrame(r.frame);
      if (!event.ok()) return event.status().WithContext(where);
      STARLOG_ASSIGN_OR_RETURN(universe, UniverseFor(*event, universe, where));
      IndexBatch index = group.Begin(r.sequence);
      Status applied = ApplyEvent(*event, *universe, &index);
      if (!applied.ok()) {
        return Status::Corruption(where + " no longer applies: " + applied.ToString());
      }
      for (const auto& [family, delta] : index.deltas()) {
        FamilyStats& fs = stats[static_cast<int>(family)];
        fs.live_entries += static_cast<uint64_t>(delta.live_entries);
        fs.digest = fs.digest + delta.added - delta.removed;
        digest = digest + delta.added - delta.removed;
      }
      if (converting) {
        converted = Head{r.sequence, r.chain_hash, digest, r.commit_time_ns};
        group.batch()->Put(handles_[Family::kHeads], codec::SequenceKey(r.sequence),
                           EncodeHead(converted));
      } else if (digest != r.state_digest) {
        return Status::Corruption(where + ": the rebuilt state digest " + digest.ToHex() +
                                  " differs from the recorded " + r.state_digest.ToHex() +
                                  "; the first event whose replay disagrees");
      }
      group.Keep(std::move(index));
      if (group.Full()) STARLOG_RETURN_IF_ERROR(flush(r.sequence));
    }
    next = records.back().sequence + 1;
    if (progress) progress(next - 1, last);
  }
  if (group.events() > 0) STARLOG_RETURN_IF_ERROR(flush(last));
  rocksdb::WriteBatch finish;
  if (converting) {
    if (converted.sequence != last) {
      return Status::Corruption("the log ends at event " + std::to_string(converted.sequence) +
                                ", before the head " + std::to_string(last));
    }
    finish.Put(handles_[Family::kMeta], std::string(kMetaHead), EncodeHead(converted));
    finish.Delete(handles_[Family::kMeta], std::string(kMetaConverting));
  }
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    finish.Put(handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + stats[i].name,
               EncodeFamilyStats(stats[i]));
  }
  STARLOG_RETURN_IF_ERROR(ReplaceStoredParts(handles_, parts, &finish));
  finish.Delete(handles_[Family::kMeta], std::string(kMetaRebuilding));
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->Write(sync, &finish), "finish rebuild"));
  MutexLock lock(&mu_);
  stats_ = stats;
  universe_ = universe;
  if (converting) {
    head_ = converted;
    staged_ = converted;
    format_version_ = kFormatVersion;
    converting_from_ = 0;
  }
  return Status::OK();
}

Status EventStore::Rebuild(const std::string& root, const StoreOptions& options,
                           const ProgressFn& progress, uint32_t* converted_from) {
  if (converted_from != nullptr) *converted_from = 0;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(RegistryPath(root)) / "CURRENT", ec)) {
    return Status::NotFound("no starlog repository at " + root);
  }
  STARLOG_ASSIGN_OR_RETURN(const int followers, LockFollowers(root, /*exclusive=*/true));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{followers};
  StoreOptions writable = options;
  writable.read_only = false;
  writable.follow = false;
  const std::optional<Head> acknowledged = ReadHighWater(root);
  auto store = std::make_unique<EventStoreImpl>(root, writable);
  store->set_converting();
  STARLOG_RETURN_IF_ERROR(store->OpenDb(/*create=*/false));
  STARLOG_RETURN_IF_ERROR(store->LoadMeta(/*check_indexes=*/false));
  const uint32_t version = store->indexes_version();
  // A log that lost acknowledged events is for `starlog repair`, not a rebuild.
  STARLOG_RETURN_IF_ERROR(store->CheckAcknowledged(acknowledged));
  STARLOG_RETURN_IF_ERROR(store->RebuildIndexes(progress));
  if (converted_from != nullptr && version != kFormatVersion) *converted_from = version;
  store.reset();
  // Open once more, so RocksDB writes a fresh MANIFEST without the dropped
  // families: Debian's RocksDB 7.8 crashes a secondary instance (a follower,
  // such as `starlog serve`) that replays a family drop while catching up.
  // (Followers are kept out during the rebuild by the lock above.)
  auto reopened = std::make_unique<EventStoreImpl>(root, writable);
  return reopened->OpenDb(/*create=*/false);
}

}  // namespace starlog::engine
