#include "starlog/engine/event_store.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/event_store_impl.h"
#include "engine/family_options.h"
#include "engine/high_water.h"
#include "engine/info_log.h"
#include "engine/meta_keys.h"
#include "engine/registry_keys.h"
#include "engine/registry_view_impl.h"
#include "engine/rocks_status.h"
#include "engine/state_machine.h"
#include "engine/versioned_index.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/time_format.h"

namespace starlog::engine {

namespace fs = std::filesystem;
using codec::Hash128;

std::string RegistryPath(const std::string& root) {
  return (fs::path(root) / ".starlog" / "registry").string();
}

std::string TimeKey(int64_t time_ns, uint64_t sequence) {
  std::string key;
  codec::PutBigEndian64(&key, static_cast<uint64_t>(time_ns) ^ (uint64_t{1} << 63));
  codec::PutBigEndian64(&key, sequence);
  return key;
}

EventStoreImpl::EventStoreImpl(std::string root, StoreOptions options)
    : root_(std::move(root)), options_(options) {
  for (int i = 0; i < kFamilyCount; ++i) stats_[i].name = std::string(kFamilyNames[i]);
}

EventStoreImpl::~EventStoreImpl() { CloseDb(); }

void EventStoreImpl::CloseDb() {
  if (db_ == nullptr) return;
  if (!read_only() && !lost_events_) {
    // The write-ahead log is the durable record: flushing every family at
    // each close left a handful of tiny table files per CLI command. Flush
    // only once the logs pile up, so that an open has little to replay.
    FlushIfLogsPileUp();
    static_cast<void>(MarkFlushed());  // Best effort: for a background flush not yet marked.
  }
  high_water_.Close();
  for (auto*& cf : handles_.cf) {
    if (cf != nullptr) static_cast<void>(db_->DestroyColumnFamilyHandle(cf));
    cf = nullptr;
  }
  static_cast<void>(db_->Close());  // Best effort: the WAL already holds every commit.
  db_.reset();
  if (!secondary_path_.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_path_, ec);  // Best effort: a scratch folder.
  }
  if (follow_lock_fd_ >= 0) ::close(follow_lock_fd_);
}

Result<int> LockFollowers(const std::string& root, bool exclusive) {
  const std::string path = root + "/.starlog/followers.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  // A reader without write access to the repository still takes a shared lock.
  if (fd < 0 && !exclusive) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path);
  if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    ::close(fd);
    return exclusive ? Status::Unavailable(
                           root +
                           " is being followed or read (by `starlog serve`, `starlog wait` or "
                           "a command reading it): stop them before rebuilding; a reader "
                           "cannot survive its indexes being dropped")
                     : Status::Unavailable("a rebuild of " + root +
                                           " is running; follow it once the rebuild is done");
  }
  return fd;
}

Status EventStoreImpl::OpenDb(bool create) {
  const bool writer = !options_.read_only && !options_.follow;
  const std::string path = RegistryPath(root_);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = create;
  // A writer recreates an index family that went missing, empty, so that the
  // check at open reports it and `starlog rebuild` can refill it.
  db_options.create_missing_column_families = writer;
  db_options.error_if_exists = create;
  db_options.max_background_jobs = 2;
  // Open files: a writer's table cache is bounded (it alone deletes table
  // files, so it may close and reopen them). Readers and followers keep every
  // table file open from the start (-1): a file the writer's compaction
  // deletes later stays readable to them.
  db_options.max_open_files = writer ? kWriterMaxOpenFiles : -1;
  // Replaying the logs at open keeps their data in memory instead of writing
  // it to new table files: a CLI command's open makes none (CloseDb flushes
  // when the logs pile up). A repair flushes what it kept, so that the log
  // file with the damage is retired.
  db_options.avoid_flush_during_recovery = writer && !repairing_;
  db_options.max_total_wal_size = kMaxTotalWalBytes;
  // RocksDB opens table files with 16 new threads per family at each version
  // it builds, a follower at every catch-up: most of its catch-up time (about
  // 18 ms of 19 on a busy machine). There are few files to open.
  db_options.max_file_opening_threads = 1;
  if (writer) db_options.listeners.push_back(flush_listener_);
  // A small info log that never fails (info_log.h); warnings and errors only.
  if (create) {
    std::error_code ec;
    fs::create_directories(path, ec);  // RocksDB would make it; the log needs it first.
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kFamilyCount; ++i) {
    descriptors.emplace_back(std::string(kFamilyNames[i]), FamilyOptions(static_cast<Family>(i)));
  }
  // Readers and followers open a secondary instance: unlike RocksDB's
  // read-only open, it is made to run beside a writer (a read-only open that
  // reads the MANIFEST just before the writer retires a log sees a state
  // without that log's events, silently). It needs a folder of its own and a
  // shared lock that keeps rebuilds out (followers.lock). A reader that
  // cannot have one (no access to the lock file) opens read-only, as before.
  bool secondary = !writer;
  if (secondary) {
    auto lock = LockFollowers(root_, /*exclusive=*/false);
    if (!lock.ok() && (options_.follow || !lock.status().IsIOError())) return lock.status();
    if (lock.ok()) {
      follow_lock_fd_ = *lock;
      char tmpl[] = "/tmp/starlog-follow-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) return Status::IOError("cannot make a folder in /tmp");
      secondary_path_ = tmpl;
    } else {
      secondary = false;
    }
  }
  db_options.info_log = NewInfoLog(secondary ? secondary_path_ : path, /*may_roll=*/writer);
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  // A reader's open reads the MANIFEST, then the files it names; the writer
  // may delete some in between (a compaction, a new MANIFEST, a retired log),
  // and RocksDB then says "Corruption: Can't access ...sst". That is a race,
  // not damage: open again, from the new MANIFEST.
  for (int attempt = 1;; ++attempt) {
    handles.clear();
    db = nullptr;
    if (secondary) {
      s = rocksdb::DB::OpenAsSecondary(db_options, path, secondary_path_, descriptors, &handles,
                                       &db);
      // Catch up once: the writer may have retired a log (its events now in
      // a table file the first read of the MANIFEST did not name) meanwhile.
      if (s.ok()) s = db->TryCatchUpWithPrimary();
      if (!s.ok() && db != nullptr) {
        for (auto* h : handles) static_cast<void>(db->DestroyColumnFamilyHandle(h));
        delete db;
        db = nullptr;
      }
    } else if (options_.read_only) {
      s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db);
    } else {
      s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
    }
    if (s.ok() || writer || attempt >= kReaderOpenAttempts || !IsVanishedFile(s)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
  if (!s.ok() && secondary && options_.read_only && s.IsCorruption()) {
    // A secondary instance refuses a damaged write-ahead log outright; the
    // read-only open recovers up to the damage (point-in-time), so that the
    // check against the acknowledged mark can say what was lost.
    s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::Unavailable("repository " + root_ + " is open for writing by another process");
    }
    if (s.IsInvalidArgument() &&
        s.ToString().find("Column family not found") != std::string::npos) {
      return Status::Corruption("repository " + root_ + " has lost an index (" + s.ToString() +
                                "); run `starlog rebuild " + root_ + "`");
    }
    if (s.IsCorruption() && options_.follow) {
      return FromRocks(s, "follow repository " + root_ + " (run `starlog info " + root_ +
                              "` to see what is damaged; `starlog repair` brings back a log "
                              "that lost its tail)");
    }
    return FromRocks(s, "open repository " + root_);
  }
  db_.reset(db);
  handles_.db = db;
  // handles[0] is the default family, which starlog does not use.
  static_cast<void>(db->DestroyColumnFamilyHandle(handles[0]));
  for (int i = 0; i < kFamilyCount; ++i) handles_.cf[i] = handles[i + 1];
  if (writer) STARLOG_RETURN_IF_ERROR(high_water_.Open(root_));
  return Status::OK();
}

void EventStoreImpl::PutIdentity(const codec::Uuid& repository_id, rocksdb::WriteBatch* batch) {
  repository_id_ = repository_id;
  format_version_ = kFormatVersion;
  batch->Put(handles_[Family::kMeta], std::string(kMetaRepositoryId),
             std::string(repository_id_.AsBytes()));
  std::string version;
  codec::PutFixed32(&version, kFormatVersion);
  batch->Put(handles_[Family::kMeta], std::string(kMetaFormatVersion), version);
}

Status EventStoreImpl::Initialize(const CreateOptions& options) {
  rocksdb::WriteBatch batch;
  PutIdentity(options.repository_id.IsNil() ? codec::RandomUuidV4() : options.repository_id,
              &batch);
  // The meta entries and event 1 land in one write: a crash during Create
  // leaves either a whole repository or none.
  // The universe's full text goes into event 1, so the log alone says what it
  // is, whatever a later starlog's built-in default becomes.
  codec::InitRepository init{
      repository_id_, kFormatVersion,
      options.universe.empty() ? std::string(DefaultUniverseText()) : options.universe};
  std::lock_guard<std::mutex> lock(mu_);
  return AppendLocked(init, options.actor, &batch).status();
}

Status EventStoreImpl::InitializeReplica(const codec::Uuid& repository_id) {
  replica_ = true;
  rocksdb::WriteBatch batch;
  PutIdentity(repository_id, &batch);
  batch.Put(handles_[Family::kMeta], std::string(kMetaReplica), "1");
  return Write(&batch, "initialise replica");
}

Status EventStoreImpl::LoadMeta(bool check_indexes) {
  rocksdb::ReadOptions ro;
  std::string value;
  rocksdb::Status s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaRepositoryId), &value);
  if (s.IsNotFound() || value.size() != 16) {
    return Status::Corruption("repository " + root_ + " has no repository id in meta");
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(s, "read repository id"));
  repository_id_ = codec::Uuid::FromBytes(value.data());
  s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaFormatVersion), &value);
  STARLOG_RETURN_IF_ERROR(FromRocks(s, "read format version"));
  if (value.size() != 4) return Status::Corruption("format version of unexpected size");
  format_version_ = codec::DecodeFixed32(value.data());
  if (format_version_ != kFormatVersion) {
    return Status::NotSupported("repository " + root_ + " has format version " +
                                std::to_string(format_version_) + "; this starlog reads " +
                                std::to_string(kFormatVersion));
  }
  s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaHead), &value);
  if (!s.IsNotFound()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(s, "read head"));
    STARLOG_ASSIGN_OR_RETURN(head_, DecodeHead(value));
  }
  replica_ = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaReplica), &value).ok();
  if (head_.sequence == 0 && replica_) return Status::OK();  // Awaiting its first event.
  if (head_.sequence == 0) {
    return Status::Corruption("repository " + root_ +
                              " has no events: its creation did not finish; remove the "
                              "folder and create it again");
  }
  IndexReader reader(handles_, kLatest);
  STARLOG_ASSIGN_OR_RETURN(auto universe_text,
                           reader.Get(Family::kSettings, keys::Setting(keys::kUniverseSetting)));
  if (!universe_text) {
    // Lost with the indexes: a rebuild takes it from event 1 again.
    if (!check_indexes) return Status::OK();
    return Status::Corruption("repository " + root_ + " has lost its universe setting; run " +
                              "`starlog rebuild " + root_ + "`");
  }
  STARLOG_ASSIGN_OR_RETURN(Universe universe, Universe::Parse(*universe_text));
  universe_ = std::make_shared<const Universe>(std::move(universe));
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const std::string& name = stats_[i].name;
    s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + name, &value);
    if (s.IsNotFound()) continue;
    STARLOG_RETURN_IF_ERROR(FromRocks(s, "read family stats"));
    STARLOG_ASSIGN_OR_RETURN(stats_[i], DecodeFamilyStats(name, value));
  }
  if (!check_indexes) return Status::OK();
  s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaRebuilding), &value);
  if (s.ok()) {
    return Status::Corruption("repository " + root_ +
                              " has half-rebuilt indexes (a rebuild did not finish); run "
                              "`starlog rebuild " +
                              root_ + "`");
  }
  return CheckIndexesPresent();
  return Status::OK();
}

Head EventStoreImpl::head() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Result<RepositoryInfo> EventStoreImpl::Info() const {
  std::lock_guard<std::mutex> lock(mu_);
  RepositoryInfo info;
  info.root = root_;
  info.repository_id = repository_id_;
  info.format_version = format_version_;
  info.head = head_;
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) info.families.push_back(stats_[i]);
  return info;
}

Status EventStoreImpl::CheckAppendable() const {
  if (read_only()) {
    return Status::PermissionDenied("repository " + root_ + " is open read-only");
  }
  if (replica_) {
    return Status::PermissionDenied("repository " + root_ +
                                    " is a replica: it takes events only from its primary");
  }
  return Status::OK();
}

Result<Head> EventStoreImpl::Append(codec::EventBody body, std::string_view actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::WriteBatch batch;
  return AppendLocked(std::move(body), actor, &batch);
}

Result<Head> EventStoreImpl::AppendAll(std::vector<codec::EventBody> bodies,
                                       std::string_view actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  std::lock_guard<std::mutex> lock(mu_);
  return AppendAllLocked(std::move(bodies), actor);
}

Result<Head> EventStoreImpl::AppendPlanned(const Plan& plan, std::string_view actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<codec::EventBody> bodies;
  {
    // The view lives only while the plan reads it: its iterators must be
    // gone before the write they would not see.
    const RegistryView view(
        std::make_shared<const RegistryView::Impl>(handles_, head_.sequence, universe_));
    STARLOG_ASSIGN_OR_RETURN(bodies, plan(view));
  }
  return AppendAllLocked(std::move(bodies), actor);
}

Result<Head> EventStoreImpl::AppendLocked(codec::EventBody body, std::string_view actor,
                                          rocksdb::WriteBatch* batch_ptr) {
  rocksdb::WriteBatch& batch = *batch_ptr;
  IndexBatch index(handles_, head_.sequence + 1, &batch);
  // Commit times never go backwards, so the time index is ordered like the log.
  const int64_t time_ns = std::max(codec::NowUtcNs(), head_.commit_time_ns);
  std::shared_ptr<const Universe> universe = universe_;
  Head next = head_;
  std::array<FamilyStats, kFamilyCount> stats = stats_;
  STARLOG_ASSIGN_OR_RETURN(bool staged, StageBodyLocked(std::move(body), actor, time_ns, index,
                                                        batch, &universe, &next, &stats));
  if (!staged) return head_;  // Nothing would change: not an event.
  STARLOG_RETURN_IF_ERROR(
      PublishLocked(batch, next, stats, "append event " + std::to_string(next.sequence)));
  universe_ = std::move(universe);
  return head_;
}

Result<Head> EventStoreImpl::AppendAllLocked(std::vector<codec::EventBody> bodies,
                                             std::string_view actor) {
  if (bodies.size() == 1) {
    rocksdb::WriteBatch batch;
    return AppendLocked(std::move(bodies.front()), actor, &batch);
  }
  // Each event sees the ones before it through the group's overlay; the
  // group is written once, after the last, or not at all.
  ReplayGroup group(handles_);
  const int64_t time_ns = std::max(codec::NowUtcNs(), head_.commit_time_ns);
  std::shared_ptr<const Universe> universe = universe_;
  Head next = head_;
  std::array<FamilyStats, kFamilyCount> stats = stats_;
  for (size_t i = 0; i < bodies.size(); ++i) {
    IndexBatch index = group.Begin(next.sequence + 1);
    auto staged = StageBodyLocked(std::move(bodies[i]), actor, time_ns, index, *group.batch(),
                                  &universe, &next, &stats);
    if (!staged.ok()) {
      return staged.status().WithContext("event " + std::to_string(i + 1) + " of " +
                                         std::to_string(bodies.size()) + " (nothing was written)");
    }
    if (*staged) {
      group.Keep(std::move(index));
    } else {
      group.Drop();
    }
  }
  if (group.events() == 0) return head_;
  STARLOG_RETURN_IF_ERROR(PublishLocked(*group.batch(), next, stats,
                                        "append events " + std::to_string(head_.sequence + 1) +
                                            " to " + std::to_string(next.sequence)));
  universe_ = std::move(universe);
  return head_;
}

Result<bool> EventStoreImpl::StageBodyLocked(codec::EventBody body, std::string_view actor,
                                             int64_t time_ns, IndexBatch& index,
                                             rocksdb::WriteBatch& batch,
                                             std::shared_ptr<const Universe>* universe, Head* head,
                                             std::array<FamilyStats, kFamilyCount>* stats) const {
  codec::Event event;
  event.sequence = head->sequence + 1;
  event.commit_time_ns = time_ns;
  event.actor = std::string(actor);
  event.body = std::move(body);
  if (event.sequence == 1 && event.type() != codec::EventType::kInitRepository) {
    return Status::InvalidArgument("the first event of a repository must be init-repository");
  }
  STARLOG_ASSIGN_OR_RETURN(*universe, UniverseFor(event, *universe, "repository " + root_));
  STARLOG_RETURN_IF_ERROR(ApplyEvent(event, **universe, &index));
  if (index.deltas().empty() && event.type() != codec::EventType::kInitRepository) return false;
  std::string frame;
  STARLOG_RETURN_IF_ERROR(codec::AppendEventFrame(event, &frame));
  STARLOG_RETURN_IF_ERROR(StageLocked(event, frame, index, batch, nullptr, head, stats));
  return true;
}

Status EventStoreImpl::StageLocked(const codec::Event& event, std::string_view frame,
                                   const IndexBatch& index, rocksdb::WriteBatch& batch,
                                   const Head* expected, Head* head,
                                   std::array<FamilyStats, kFamilyCount>* stats) const {
  const Head& prev = *head;
  Head next;
  next.sequence = event.sequence;
  next.chain_hash = codec::NextChainHash(prev.chain_hash, frame);
  next.commit_time_ns = event.commit_time_ns;
  next.state_digest = prev.state_digest;
  for (const auto& [family, delta] : index.deltas()) {
    next.state_digest = next.state_digest + delta.added - delta.removed;
  }
  if (expected != nullptr) {
    // A replicated event must land exactly as it did on the primary.
    const std::string where = "event " + std::to_string(next.sequence);
    if (next.chain_hash != expected->chain_hash) {
      return Status::Corruption(where + ": chain hash " + next.chain_hash.ToHex() +
                                " differs from the primary's " + expected->chain_hash.ToHex());
    }
    if (next.state_digest != expected->state_digest) {
      return Status::Corruption(where + ": state digest " + next.state_digest.ToHex() +
                                " differs from the primary's " + expected->state_digest.ToHex());
    }
  }
  const std::string seq_key = codec::SequenceKey(next.sequence);
  batch.Put(handles_[Family::kLog], seq_key, std::string(frame));
  batch.Put(handles_[Family::kHeads], seq_key, EncodeHead(next));
  batch.Put(handles_[Family::kTime], TimeKey(next.commit_time_ns, next.sequence), "");
  for (const auto& [family, delta] : index.deltas()) {
    FamilyStats& fs = (*stats)[static_cast<int>(family)];
    fs.live_entries += static_cast<uint64_t>(delta.live_entries);
    fs.digest = fs.digest + delta.added - delta.removed;
  }
  *head = next;
  return Status::OK();
}

Status EventStoreImpl::PublishLocked(rocksdb::WriteBatch& batch, const Head& head,
                                     const std::array<FamilyStats, kFamilyCount>& stats,
                                     std::string_view what) {
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const FamilyStats& fs = stats[i];
    if (fs.live_entries == stats_[i].live_entries && fs.digest == stats_[i].digest) continue;
    batch.Put(handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + fs.name,
              EncodeFamilyStats(fs));
  }
  batch.Put(handles_[Family::kMeta], std::string(kMetaHead), EncodeHead(head));
  STARLOG_RETURN_IF_ERROR(Write(&batch, what));
  head_ = head;
  stats_ = stats;
  NoteCommitted();
  head_moved_.notify_all();
  return Status::OK();
}

Result<Head> EventStoreImpl::ApplyReplicated(const std::vector<ReplicatedEvent>& events) {
  if (!replica_) {
    return Status::PermissionDenied("repository " + root_ +
                                    " is a primary; only replicas take replicated events");
  }
  if (options_.read_only || options_.follow) {
    return Status::PermissionDenied("repository " + root_ + " is open read-only");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ReplayGroup group(handles_);
  Head head = head_;
  std::array<FamilyStats, kFamilyCount> stats = stats_;
  auto publish = [&] {
    const std::string what = "replicated events " + std::to_string(head_.sequence + 1) + " to " +
                             std::to_string(head.sequence);
    return PublishLocked(*group.batch(), head, stats, what);
  };
  for (const ReplicatedEvent& e : events) {
    Status applied = ApplyOneReplicated(e, group, &head, &stats);
    if (!applied.ok()) {
      // Keep what came before the refused event.
      if (group.events() > 0) STARLOG_RETURN_IF_ERROR(publish());
      return applied;
    }
    if (group.Full()) {
      STARLOG_RETURN_IF_ERROR(publish());
      group.Reset();
    }
  }
  if (group.events() > 0) STARLOG_RETURN_IF_ERROR(publish());
  return head_;
}

Status EventStoreImpl::ApplyOneReplicated(const ReplicatedEvent& e, ReplayGroup& group, Head* head,
                                          std::array<FamilyStats, kFamilyCount>* stats) {
  const std::string where = "replicated event " + std::to_string(e.expected.sequence);
  STARLOG_ASSIGN_OR_RETURN(codec::Event event, codec::DecodeEventFrame(e.frame));
  if (event.sequence != head->sequence + 1 || e.expected.sequence != event.sequence) {
    return Status::Corruption(where + " carries sequence " + std::to_string(event.sequence) +
                              "; the replica's head is " + std::to_string(head->sequence));
  }
  if (event.commit_time_ns != e.expected.commit_time_ns) {
    return Status::Corruption(where + ": commit time differs from the primary's record");
  }
  if (const auto* init = std::get_if<codec::InitRepository>(&event.body)) {
    if (init->repository_id != repository_id_) {
      return Status::Corruption(where + " is of repository " + init->repository_id.ToString() +
                                ", not " + repository_id_.ToString());
    }
  }
  STARLOG_ASSIGN_OR_RETURN(auto universe, UniverseFor(event, universe_, where));
  IndexBatch index = group.Begin(event.sequence);
  Status applied = ApplyEvent(event, *universe, &index);
  if (applied.ok()) {
    applied = StageLocked(event, e.frame, index, *group.batch(), &e.expected, head, stats);
  } else {
    applied = Status::Corruption(where + " does not apply: " + applied.ToString());
  }
  if (!applied.ok()) {
    group.Drop();
    return applied;
  }
  group.Keep(std::move(index));
  universe_ = universe;
  return Status::OK();
}

Status EventStoreImpl::Sync() {
  if (options_.read_only || options_.follow) return Status::OK();
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "sync the log of " + root_));
  std::lock_guard<std::mutex> lock(mu_);
  static_cast<void>(high_water_.Record(head_, /*sync=*/false));  // Best effort: see NoteCommitted.
  return Status::OK();
}

Result<RegistryView> EventStoreImpl::View(uint64_t as_of) const {
  std::shared_ptr<const Universe> universe;
  uint64_t head;
  {
    std::lock_guard<std::mutex> lock(mu_);
    universe = universe_;
    head = head_.sequence;
  }
  if (as_of == kAtHead) as_of = head;
  if (as_of > head) {
    return Status::InvalidArgument("sequence " + std::to_string(as_of) + " is past the head (" +
                                   std::to_string(head) + ")");
  }
  return RegistryView(std::make_shared<const RegistryView::Impl>(handles_, as_of, universe));
}

Status EventStoreImpl::CheckIndexesPresent() const {
  // Meta counts the live entries of every index family; a family that should
  // hold entries but holds none was lost (dropped, or its files removed).
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    if (stats_[i].live_entries == 0) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions(), handles_.cf[i]));
    it->SeekToFirst();
    if (!it->Valid()) {
      STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "check index " + stats_[i].name));
      return Status::Corruption(
          "repository " + root_ + ": index " + stats_[i].name + " is empty but should hold " +
          std::to_string(stats_[i].live_entries) + " entries; run `starlog rebuild " + root_ + "`");
    }
  }
  return Status::OK();
}

Status EventStoreImpl::Write(rocksdb::WriteBatch* batch, std::string_view what) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, batch), what);
}

Result<std::shared_ptr<const Universe>> UniverseFor(const codec::Event& event,
                                                    std::shared_ptr<const Universe> current,
                                                    std::string_view where) {
  if (const auto* init = std::get_if<codec::InitRepository>(&event.body)) {
    STARLOG_ASSIGN_OR_RETURN(Universe declared, Universe::Parse(init->universe));
    return std::make_shared<const Universe>(std::move(declared));
  }
  if (current == nullptr) {
    return Status::Corruption(std::string(where) + ": no init-repository before it");
  }
  return current;
}

Result<std::unique_ptr<EventStore>> EventStore::Create(const std::string& root,
                                                       const CreateOptions& options) {
  std::error_code ec;
  if (fs::exists(fs::path(RegistryPath(root)), ec)) {
    return Status::InvalidArgument("a repository already exists at " + root);
  }
  fs::create_directories(fs::path(RegistryPath(root)).parent_path(), ec);
  if (ec) return Status::IOError("create " + root + ": " + ec.message());
  auto store = std::make_unique<EventStoreImpl>(root, options.store);
  STARLOG_RETURN_IF_ERROR(store->OpenDb(/*create=*/true));
  STARLOG_RETURN_IF_ERROR(store->Initialize(options));
  if (options.policy) {
    STARLOG_RETURN_IF_ERROR(store->Append(*options.policy, options.actor).status());
  }
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::CreateReplica(const std::string& root,
                                                              const codec::Uuid& repository_id,
                                                              const StoreOptions& options) {
  std::error_code ec;
  if (fs::exists(fs::path(RegistryPath(root)), ec)) {
    return Status::InvalidArgument("a repository already exists at " + root);
  }
  if (repository_id.IsNil()) return Status::InvalidArgument("a replica needs its primary's id");
  fs::create_directories(fs::path(RegistryPath(root)).parent_path(), ec);
  if (ec) return Status::IOError("create " + root + ": " + ec.message());
  auto store = std::make_unique<EventStoreImpl>(root, options);
  STARLOG_RETURN_IF_ERROR(store->OpenDb(/*create=*/true));
  STARLOG_RETURN_IF_ERROR(store->InitializeReplica(repository_id));
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& root,
                                                     const StoreOptions& options) {
  std::error_code ec;
  if (!fs::exists(fs::path(RegistryPath(root)) / "CURRENT", ec)) {
    return Status::NotFound("no starlog repository at " + root);
  }
  for (int attempt = 1;; ++attempt) {
    // Read before the log, so that it can never be ahead of what a reader
    // opening under a live writer finds.
    const std::optional<Head> acknowledged = ReadHighWater(root);
    auto store = std::make_unique<EventStoreImpl>(root, options);
    Status s = store->OpenDb(/*create=*/false);
    if (s.ok()) s = store->LoadMeta(/*check_indexes=*/true);
    if (s.ok()) s = store->CheckAcknowledged(acknowledged);
    if (s.ok()) return std::unique_ptr<EventStore>(std::move(store));
    // A reader racing the writer's flushes may see a state from before them:
    // open again before calling anything lost or damaged.
    if (!s.IsCorruption() || !store->read_only() || attempt >= kReaderOpenAttempts) return s;
    store.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

}  // namespace starlog::engine
