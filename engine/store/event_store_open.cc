// Opening a repository: locks, the RocksDB instance and its column families,
// identity and meta; creating one; the checks every open makes.

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <thread>

#include "engine/model/registry_keys.h"
#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/family_options.h"
#include "engine/store/high_water.h"
#include "engine/store/info_log.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event.h"
#include "starlog/engine/event_store.h"

namespace starlog::engine {

namespace fs = std::filesystem;

std::string RegistryPath(const std::string& root) {
  return (fs::path(root) / ".starlog" / "registry").string();
}

EventStoreImpl::EventStoreImpl(std::string root, StoreOptions options)
    : root_(std::move(root)), options_(options) {
  for (int i = 0; i < kFamilyCount; ++i) stats_[i].name = std::string(kFamilyNames[i]);
}

EventStoreImpl::~EventStoreImpl() {
  CloseDb();
  // After CloseDb, and whether or not the open got as far as a database: a
  // follower whose open failed had its scratch folder and lock already.
  if (!secondary_path_.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_path_, ec);  // Best effort: a scratch folder.
  }
  if (follow_lock_fd_ >= 0) ::close(follow_lock_fd_);
}

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
}

int WriterMaxOpenFiles(uint64_t descriptor_limit) {
  constexpr uint64_t kLeast = 128;
  constexpr uint64_t kMost = 1 << 16;
  return static_cast<int>(std::clamp(descriptor_limit / 2, kLeast, kMost));
}

uint64_t DescriptorLimit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<uint64_t>::max()
                                         : static_cast<uint64_t>(limit.rlim_cur);
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
  if (writer) {
    db_options.max_open_files = WriterMaxOpenFiles(DescriptorLimit());
    // RocksDB's table cache is split in 2^6 shards by default, each its own
    // LRU of a 64th of the bound: files hashing unevenly into them would be
    // closed long before the bound is reached.
    db_options.table_cache_numshardbits = 4;
  } else {
    db_options.max_open_files = -1;
  }
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
    descriptors.emplace_back(
        std::string(kFamilyNames[i]),
        FamilyOptions(static_cast<Family>(i), writer ? OpenedBy::kWriter : OpenedBy::kReader));
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
      // In $TMPDIR, as other programs put their scratch (a cluster's node-local disk).
      const char* tmp = std::getenv("TMPDIR");
      std::string tmpl =
          std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/starlog-follow-XXXXXX";
      if (mkdtemp(tmpl.data()) == nullptr) {
        return Status::IOError("cannot make a scratch folder like " + tmpl + ": " +
                               std::strerror(errno));
      }
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
  // Every event of a new repository keeps the content partitions.
  batch.Put(handles_[Family::kMeta], std::string(kMetaContentDigestsBuilt), "1");
  Head head;
  {
    MutexLock lock(&mu_);
    STARLOG_ASSIGN_OR_RETURN(head, AppendLocked(init, options.actor, &batch));
  }
  return AwaitDurable(head.sequence);
}

Status EventStoreImpl::InitializeReplica(const codec::Uuid& repository_id) {
  replica_ = true;
  rocksdb::WriteBatch batch;
  PutIdentity(repository_id, &batch);
  batch.Put(handles_[Family::kMeta], std::string(kMetaReplica), "1");
  batch.Put(handles_[Family::kMeta], std::string(kMetaContentDigestsBuilt), "1");
  return Write(&batch, "initialise replica");
}

Status EventStoreImpl::LoadMeta(bool check_indexes) {
  // Uncontended while opening, but the analysis cannot know that no other
  // thread has the store yet.
  uint64_t loaded = 0;
  {
    MutexLock lock(&mu_);
    STARLOG_RETURN_IF_ERROR(LoadMetaLocked(check_indexes));
    loaded = head_.sequence;
  }
  MutexLock lock(&sync_mu_);
  durable_sequence_ = loaded;  // What the log holds at open is durable.
  return Status::OK();
}

Status EventStoreImpl::LoadMetaLocked(bool check_indexes) {
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
  const bool older = format_version_ >= 1 && format_version_ < kFormatVersion;
  if (older && !converting_) {
    // Its log is readable as ever; only its indexes are of the older form.
    return Status::NotSupported(
        "repository " + root_ + " has format version " + std::to_string(format_version_) +
        ", older than this starlog's " + std::to_string(kFormatVersion) +
        " (whose indexes hold data IDs without their key names); run `starlog rebuild " + root_ +
        "` to convert it: the rebuild replays its log into indexes of version " +
        std::to_string(kFormatVersion) + ", its events unchanged");
  }
  if (!older && format_version_ != kFormatVersion) {
    return Status::NotSupported("repository " + root_ + " has format version " +
                                std::to_string(format_version_) + "; this starlog reads " +
                                std::to_string(kFormatVersion));
  }
  s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaConverting), &value);
  if (!s.IsNotFound()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(s, "read conversion mark"));
    if (value.size() != 4) return Status::Corruption("conversion mark of unexpected size");
    converting_from_ = codec::DecodeFixed32(value.data());
  }
  s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaHead), &value);
  if (!s.IsNotFound()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(s, "read head"));
    STARLOG_ASSIGN_OR_RETURN(head_, DecodeHead(value));
    staged_ = head_;
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
  MutexLock lock(&mu_);
  return head_;
}

Result<RepositoryInfo> EventStoreImpl::Info() const {
  MutexLock lock(&mu_);
  RepositoryInfo info;
  info.root = root_;
  info.repository_id = repository_id_;
  info.format_version = format_version_;
  info.head = head_;
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) info.families.push_back(stats_[i]);
  return info;
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
  const auto started = std::chrono::steady_clock::now();
  bool told = false;
  for (int attempt = 1;; ++attempt) {
    // Read before the log, so that it can never be ahead of what a reader
    // opening under a live writer finds.
    const std::optional<Head> acknowledged = ReadHighWater(root);
    auto store = std::make_unique<EventStoreImpl>(root, options);
    Status s = store->OpenDb(/*create=*/false);
    if (s.IsUnavailable() && !store->read_only()) {
      // Another writer holds the lock: wait for it, polling, up to the
      // timeout. RocksDB's lock is an fcntl lock, which has no blocking form
      // that a timeout could bound.
      const auto waited = std::chrono::steady_clock::now() - started;
      if (waited >= options.lock_timeout) return s;
      if (!told && waited >= std::chrono::seconds(1) && options.on_lock_wait) {
        options.on_lock_wait();
        told = true;
      }
      store.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (s.ok()) s = store->LoadMeta(/*check_indexes=*/true);
    if (s.ok()) s = store->CheckAcknowledged(acknowledged);
    // A repository from before content digests gains them at a writer's open.
    if (s.ok() && !store->read_only()) s = store->BuildContentDigests();
    if (s.ok()) return std::unique_ptr<EventStore>(std::move(store));
    // A reader racing the writer's flushes may see a state from before them:
    // open again before calling anything lost or damaged.
    if (!s.IsCorruption() || !store->read_only() || attempt >= kReaderOpenAttempts) return s;
    store.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

}  // namespace starlog::engine
