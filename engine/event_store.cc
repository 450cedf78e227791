#include "starlog/engine/event_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>

#include "engine/db_handles.h"
#include "engine/meta_keys.h"
#include "engine/registry_keys.h"
#include "engine/registry_view_impl.h"
#include "engine/rocks_status.h"
#include "engine/state_machine.h"
#include "engine/versioned_index.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"

namespace starlog::engine {

namespace fs = std::filesystem;
using codec::Hash128;

std::string RegistryPath(const std::string& root) {
  return (fs::path(root) / ".starlog" / "registry").string();
}

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

codec::Uuid RandomUuid() {
  std::random_device rd;
  codec::Uuid u;
  for (auto& b : u.bytes) b = static_cast<uint8_t>(rd());
  u.bytes[6] = (u.bytes[6] & 0x0f) | 0x40;  // Version 4.
  u.bytes[8] = (u.bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant.
  return u;
}

std::string TimeKey(int64_t time_ns, uint64_t sequence) {
  std::string key;
  codec::PutBigEndian64(&key, static_cast<uint64_t>(time_ns) ^ (uint64_t{1} << 63));
  codec::PutBigEndian64(&key, sequence);
  return key;
}

class EventStoreImpl final : public EventStore {
 public:
  EventStoreImpl(std::string root, StoreOptions options)
      : root_(std::move(root)), options_(options) {
    for (int i = 0; i < kFamilyCount; ++i) stats_[i].name = std::string(kFamilyNames[i]);
  }

  ~EventStoreImpl() override {
    if (db_ == nullptr) return;
    for (auto* cf : handles_.cf) {
      if (cf != nullptr) static_cast<void>(db_->DestroyColumnFamilyHandle(cf));
    }
    static_cast<void>(db_->Close());  // Best effort: the WAL already holds every commit.
  }

  Status OpenDb(bool create) {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = create;
    db_options.create_missing_column_families = create;
    db_options.error_if_exists = create;
    db_options.max_background_jobs = 2;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (std::string_view name : kFamilyNames) {
      descriptors.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    const std::string path = RegistryPath(root_);
    rocksdb::Status s =
        options_.read_only
            ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db)
            : rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
    if (!s.ok()) {
      if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
        return Status::Unavailable("repository " + root_ +
                                   " is open for writing by another process");
      }
      return FromRocks(s, "open repository " + root_);
    }
    db_.reset(db);
    handles_.db = db;
    // handles[0] is the default family, which starlog does not use.
    static_cast<void>(db->DestroyColumnFamilyHandle(handles[0]));
    for (int i = 0; i < kFamilyCount; ++i) handles_.cf[i] = handles[i + 1];
    return Status::OK();
  }

  Status Initialize(const CreateOptions& options) {
    repository_id_ = options.repository_id.IsNil() ? RandomUuid() : options.repository_id;
    format_version_ = kFormatVersion;
    rocksdb::WriteBatch batch;
    batch.Put(handles_[Family::kMeta], std::string(kMetaRepositoryId),
              std::string(repository_id_.AsBytes()));
    std::string version;
    codec::PutFixed32(&version, kFormatVersion);
    batch.Put(handles_[Family::kMeta], std::string(kMetaFormatVersion), version);
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

  Status LoadMeta() {
    rocksdb::ReadOptions ro;
    std::string value;
    rocksdb::Status s =
        db_->Get(ro, handles_[Family::kMeta], std::string(kMetaRepositoryId), &value);
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
    if (head_.sequence == 0) {
      return Status::Corruption("repository " + root_ +
                                " has no events: its creation did not finish; remove the "
                                "folder and create it again");
    }
    IndexReader reader(handles_, kLatest);
    STARLOG_ASSIGN_OR_RETURN(auto universe_text,
                             reader.Get(Family::kSettings, keys::Setting(keys::kUniverseSetting)));
    if (!universe_text) return Status::Corruption("repository " + root_ + " has no universe");
    STARLOG_ASSIGN_OR_RETURN(Universe universe, Universe::Parse(*universe_text));
    universe_ = std::make_shared<const Universe>(std::move(universe));
    for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
      const std::string& name = stats_[i].name;
      s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + name, &value);
      if (s.IsNotFound()) continue;
      STARLOG_RETURN_IF_ERROR(FromRocks(s, "read family stats"));
      STARLOG_ASSIGN_OR_RETURN(stats_[i], DecodeFamilyStats(name, value));
    }
    return Status::OK();
  }

  const std::string& root() const override { return root_; }
  const codec::Uuid& repository_id() const override { return repository_id_; }
  bool read_only() const override { return options_.read_only; }

  Head head() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return head_;
  }

  Result<RepositoryInfo> Info() const override {
    std::lock_guard<std::mutex> lock(mu_);
    RepositoryInfo info;
    info.root = root_;
    info.repository_id = repository_id_;
    info.format_version = format_version_;
    info.head = head_;
    for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) info.families.push_back(stats_[i]);
    return info;
  }

  Result<Head> Append(codec::EventBody body, std::string_view actor) override {
    if (options_.read_only) {
      return Status::PermissionDenied("repository " + root_ + " is open read-only");
    }
    std::lock_guard<std::mutex> lock(mu_);
    rocksdb::WriteBatch batch;
    return AppendLocked(std::move(body), actor, &batch);
  }

  // REQUIRES: mu_ held. "*batch" may already hold writes to commit with the event.
  Result<Head> AppendLocked(codec::EventBody body, std::string_view actor,
                            rocksdb::WriteBatch* batch_ptr) {
    rocksdb::WriteBatch& batch = *batch_ptr;
    codec::Event event;
    event.sequence = head_.sequence + 1;
    // Commit times never go backwards, so the time index is ordered like the log.
    event.commit_time_ns = std::max(NowNs(), head_.commit_time_ns);
    event.actor = std::string(actor);
    event.body = std::move(body);
    if (event.sequence == 1 && event.type() != codec::EventType::kInitRepository) {
      return Status::InvalidArgument("the first event of a repository must be init-repository");
    }

    IndexBatch index(handles_, event.sequence, &batch);
    if (const auto* init = std::get_if<codec::InitRepository>(&event.body)) {
      STARLOG_ASSIGN_OR_RETURN(Universe declared, Universe::Parse(init->universe));
      universe_ = std::make_shared<const Universe>(std::move(declared));
    }
    if (universe_ == nullptr) return Status::Corruption("repository without a universe");
    STARLOG_RETURN_IF_ERROR(ApplyEvent(event, *universe_, &index));
    if (index.deltas().empty() && event.type() != codec::EventType::kInitRepository) {
      return head_;  // Nothing would change: not an event.
    }

    std::string frame;
    STARLOG_RETURN_IF_ERROR(codec::AppendEventFrame(event, &frame));
    Head next;
    next.sequence = event.sequence;
    next.chain_hash = codec::NextChainHash(head_.chain_hash, frame);
    next.commit_time_ns = event.commit_time_ns;
    next.state_digest = head_.state_digest;
    std::array<FamilyStats, kFamilyCount> stats = stats_;
    for (const auto& [family, delta] : index.deltas()) {
      FamilyStats& fs = stats[static_cast<int>(family)];
      fs.live_entries += static_cast<uint64_t>(delta.live_entries);
      fs.digest = fs.digest + delta.added - delta.removed;
      next.state_digest = next.state_digest + delta.added - delta.removed;
      batch.Put(handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + fs.name,
                EncodeFamilyStats(fs));
    }
    const std::string seq_key = codec::SequenceKey(next.sequence);
    const std::string head_record = EncodeHead(next);
    batch.Put(handles_[Family::kLog], seq_key, frame);
    batch.Put(handles_[Family::kHeads], seq_key, head_record);
    batch.Put(handles_[Family::kTime], TimeKey(next.commit_time_ns, next.sequence), "");
    batch.Put(handles_[Family::kMeta], std::string(kMetaHead), head_record);
    STARLOG_RETURN_IF_ERROR(Write(&batch, "append event " + std::to_string(next.sequence)));
    head_ = next;
    stats_ = stats;
    return head_;
  }

  Result<RegistryView> View(uint64_t as_of) const override {
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

  Result<std::vector<LogRecord>> ReadLog(uint64_t from, size_t limit) const override {
    if (from == 0) from = 1;
    std::vector<LogRecord> out;
    if (from > head().sequence) return out;
    STARLOG_ASSIGN_OR_RETURN(Hash128 previous, ChainHashAt(from - 1));
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> log(db_->NewIterator(ro, handles_[Family::kLog]));
    std::unique_ptr<rocksdb::Iterator> heads(db_->NewIterator(ro, handles_[Family::kHeads]));
    const std::string start = codec::SequenceKey(from);
    log->Seek(start);
    heads->Seek(start);
    uint64_t expected = from;
    for (; log->Valid() && out.size() < limit; log->Next(), heads->Next(), ++expected) {
      const std::string where = "event " + std::to_string(expected);
      if (log->key().size() != 8 || codec::DecodeBigEndian64(log->key().data()) != expected) {
        return Status::Corruption(where + ": the log is not dense here");
      }
      if (!heads->Valid() || heads->key() != log->key()) {
        return Status::Corruption(where + ": no recorded chain hash");
      }
      const std::string_view frame = log->value().ToStringView();
      Status s = codec::ParseSingleFrame(frame).status();
      if (!s.ok()) return s.WithContext(where);
      STARLOG_ASSIGN_OR_RETURN(Head recorded, DecodeHead(heads->value().ToStringView()));
      LogRecord record;
      record.sequence = expected;
      record.frame.assign(frame);
      record.chain_hash = codec::NextChainHash(previous, frame);
      if (record.chain_hash != recorded.chain_hash) {
        return Status::Corruption(where + ": chain hash " + record.chain_hash.ToHex() +
                                  " differs from the recorded " + recorded.chain_hash.ToHex());
      }
      record.state_digest = recorded.state_digest;
      record.commit_time_ns = recorded.commit_time_ns;
      previous = record.chain_hash;
      out.push_back(std::move(record));
    }
    STARLOG_RETURN_IF_ERROR(FromRocks(log->status(), "read log"));
    return out;
  }

  Result<Hash128> ChainHashAt(uint64_t sequence) const override {
    if (sequence == 0) return codec::kGenesisChainHash;
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[Family::kHeads],
                                 codec::SequenceKey(sequence), &value);
    if (s.IsNotFound()) {
      return Status::NotFound("no event " + std::to_string(sequence) + " in the log");
    }
    STARLOG_RETURN_IF_ERROR(FromRocks(s, "read chain hash"));
    STARLOG_ASSIGN_OR_RETURN(Head h, DecodeHead(value));
    return h.chain_hash;
  }

  Result<uint64_t> SequenceAtTime(int64_t time_ns) const override {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[Family::kTime]));
    // The last key at or before (time_ns, max sequence).
    it->SeekForPrev(TimeKey(time_ns, ~uint64_t{0}));
    if (!it->Valid()) {
      STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "read time index"));
      return uint64_t{0};
    }
    if (it->key().size() != 16) return Status::Corruption("time index key of unexpected size");
    return codec::DecodeBigEndian64(it->key().data() + 8);
  }

  Status VerifyLog() const override {
    constexpr size_t kChunk = 4096;
    const uint64_t last = head().sequence;
    uint64_t next = 1;
    while (next <= last) {
      STARLOG_ASSIGN_OR_RETURN(std::vector<LogRecord> records, ReadLog(next, kChunk));
      if (records.empty()) {
        return Status::Corruption("event " + std::to_string(next) + ": missing; the head is " +
                                  std::to_string(last));
      }
      for (const LogRecord& r : records) {
        auto event = codec::DecodeEventFrame(r.frame);
        if (!event.ok()) return event.status().WithContext("event " + std::to_string(r.sequence));
        if (event->sequence != r.sequence) {
          return Status::Corruption("event " + std::to_string(r.sequence) +
                                    ": payload says sequence " + std::to_string(event->sequence));
        }
      }
      next = records.back().sequence + 1;
    }
    STARLOG_ASSIGN_OR_RETURN(Hash128 at_head, ChainHashAt(last));
    if (last != 0 && at_head != head().chain_hash) {
      return Status::Corruption("the head's chain hash differs from the one recorded for event " +
                                std::to_string(last));
    }
    return Status::OK();
  }

 private:
  Status Write(rocksdb::WriteBatch* batch, std::string_view what) {
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    return FromRocks(db_->Write(wo, batch), what);
  }

  const std::string root_;
  const StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  DbHandles handles_;
  codec::Uuid repository_id_;
  uint32_t format_version_ = 0;

  // Fixed by event 1; shared with views, which may outlive a reopen.
  std::shared_ptr<const Universe> universe_;

  mutable std::mutex mu_;  // Serializes appends; guards head_ and stats_.
  Head head_;
  std::array<FamilyStats, kFamilyCount> stats_;
};

}  // namespace

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
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& root,
                                                     const StoreOptions& options) {
  std::error_code ec;
  if (!fs::exists(fs::path(RegistryPath(root)) / "CURRENT", ec)) {
    return Status::NotFound("no starlog repository at " + root);
  }
  auto store = std::make_unique<EventStoreImpl>(root, options);
  STARLOG_RETURN_IF_ERROR(store->OpenDb(/*create=*/false));
  STARLOG_RETURN_IF_ERROR(store->LoadMeta());
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace starlog::engine
