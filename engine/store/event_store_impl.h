#pragma once

// The EventStore behind the public interface. Its parts live in:
//   event_store_open.cc        opening, creating, the checks every open makes
//   event_store_append.cc      appending: staging events and publishing the head
//   event_store_replicated.cc  applying the events a primary sent
//   event_store_read.cc        the log, heads, times, digests
//   event_store_rebuild.cc     dropping and replaying the indexes
//   event_store_content.cc     the content partitions (content_digest.h)
//   event_store_follow.cc      following another process's writes, waiting
//   event_store_durability.cc  the acknowledged mark, repair, the flush at close
//
// Locking: mu_ guards the head, the family stats and the universe, and
// serializes writers; the "...Locked" functions run with it held. Clang
// checks this (-Wthread-safety, thread_annotations.h).

#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/store/db_handles.h"
#include "engine/store/high_water.h"
#include "engine/store/versioned_index.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/universe.h"
#include "starlog/mutex.h"
#include "starlog/thread_annotations.h"

namespace starlog::engine {

// Meta key present while a rebuild is under way (and after one failed).
inline constexpr std::string_view kMetaRebuilding = "rebuilding";
// Meta key present while a rebuild converting an older format version is
// under way (and after one failed), holding that version (fixed32). The
// format version is already the new one then, so an older starlog refuses
// the half-converted repository instead of checking its new digests.
inline constexpr std::string_view kMetaConverting = "converting_from";
// Meta key present in a replica: it takes events only from its primary.
inline constexpr std::string_view kMetaReplica = "replica";

// A writer's bound on open table files (RocksDB max_open_files), given the
// process's limit on open descriptors (RLIMIT_NOFILE's soft limit): half of
// it, the rest left to sockets, logs and artifact files, and at least 128.
// A table file not held open is opened again, its index and filter read,
// at its next read: with ten million datasets (some 150 files) a bound of
// 128 had every registration's reads reopening tables, most of its time.
int WriterMaxOpenFiles(uint64_t descriptor_limit);
// This process's RLIMIT_NOFILE soft limit; UINT64_MAX when unlimited, 0 when
// it cannot be read.
uint64_t DescriptorLimit();
// A writer flushes its memtables on close once this many write-ahead logs, or
// this many bytes of them, are live (each open starts a new log). Every open
// replays the live logs into memtables (a reader's too): about 10 ms a MiB
// here, paid by each later CLI process, against a flush's 40-80 ms paid once.
// With 1,000-dataset registrations (400 KB of log each) a bound of 32 MiB
// left up to 3 MiB live: find-dataset took 31 ms a process, 21 ms at 1 MiB
// (register-datasets 83 ms on average, 94 ms with the flushes).
inline constexpr size_t kMaxLiveWalsAtClose = 8;
inline constexpr uint64_t kMaxLiveWalBytesAtClose = 1 << 20;
// A family's table files under kSmallTableBytes are merged once there are
// more than kMaxSmallTables of them (CompactSmallTables).
inline constexpr uint64_t kSmallTableBytes = 4 << 20;
inline constexpr size_t kMaxSmallTables = 4;
// RocksDB flushes the oldest families of a long-running writer past this.
inline constexpr uint64_t kMaxTotalWalBytes = 128 << 20;
// How often a reader opens again when the writer deleted a file under it.
inline constexpr int kReaderOpenAttempts = 10;

// Whether a failed open of a reader names a file that the writer deleted
// while the reader was opening (event_store_durability.cc).
bool IsVanishedFile(const rocksdb::Status& s);

// Notes that RocksDB flushed a memtable, so that the writer marks it for its
// followers (EventStoreImpl::MarkFlushed).
class FlushListener final : public rocksdb::EventListener {
 public:
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  bool TakeFlushed() { return flushed_.exchange(false); }

 private:
  std::atomic<bool> flushed_{false};
};

// What a content comparison reads of a store at one point: the head, every
// index family's stats, and the partitions (kept, or "scanned" for them).
struct ContentPoint {
  uint64_t head = 0;
  std::vector<FamilyStats> families;
  std::optional<PartMap> parts;
  bool scanned = false;
};

class EventStoreImpl final : public EventStore {
 public:
  EventStoreImpl(std::string root, StoreOptions options);
  ~EventStoreImpl() override;

  // Opens (or with "create", creates) the RocksDB database.
  Status OpenDb(bool create);
  // Writes the meta entries and event 1 of a new repository, atomically.
  Status Initialize(const CreateOptions& options) EXCLUDES(mu_);
  // Writes the meta entries of an empty replica (its events come from the primary).
  Status InitializeReplica(const codec::Uuid& repository_id);
  // Reads id, format, head, universe and family stats. With "check_indexes",
  // refuses a repository whose indexes are lost or half rebuilt.
  Status LoadMeta(bool check_indexes) EXCLUDES(mu_, sync_mu_);
  // Drops and replays every index (event_store_rebuild.cc).
  Status RebuildIndexes(const ProgressFn& progress) EXCLUDES(mu_);
  // For a writer's open of a repository from before content digests: one
  // scan of the indexes computes them (content_digest.h).
  Status BuildContentDigests() EXCLUDES(mu_);
  // The content partitions: as stored, or computed by a scan if this
  // repository has none yet ("*computed" then says so).
  Result<PartMap> ContentParts(bool* computed) const;
  // The head, family stats and partitions as of one event (content_source.h).
  Result<ContentPoint> ReadContentPoint() const EXCLUDES(refresh_mu_, mu_);
  const DbHandles& handles() const { return handles_; }
  // After LoadMeta: Corruption, naming what was lost, if the log ends before
  // the "acknowledged" high-water mark read before opening (high_water.h), or
  // holds another history there. Sets lost_events().
  Status CheckAcknowledged(const std::optional<Head>& acknowledged) EXCLUDES(mu_);
  bool lost_events() const { return lost_events_; }
  // Opens as `starlog repair` does: point-in-time recovery, then a flush of
  // what was kept. Set before OpenDb.
  void set_repairing() { repairing_ = true; }
  // Lets LoadMeta read a repository of an older format version, for the
  // rebuild that converts it. Set before LoadMeta.
  void set_converting() { converting_ = true; }
  // The format version the indexes are of: older than kFormatVersion while a
  // conversion has not finished (RebuildIndexes then converts).
  uint32_t indexes_version() const {
    return converting_from_ != 0 ? converting_from_ : format_version_;
  }
  // Flushes every family and records the head as the acknowledged mark,
  // durably (after a repair).
  Status ResetAcknowledged() EXCLUDES(mu_);
  // Test hook: flushes every family and compacts the log and meta families.
  Status TEST_FlushAndCompact();
  // Test hook: how many times the log was synced for appends (group commit).
  uint64_t TEST_syncs() const EXCLUDES(sync_mu_) {
    MutexLock lock(&sync_mu_);
    return syncs_;
  }
  // Test hook: runs in the leading writer just before it syncs the log, with
  // no lock held; a status other than OK stands for the sync's (a full or
  // failing disk). Set before writers start.
  void TEST_set_before_sync(std::function<Status()> hook) { before_sync_ = std::move(hook); }

  const std::string& root() const override { return root_; }
  const codec::Uuid& repository_id() const override { return repository_id_; }
  bool read_only() const override { return options_.read_only || options_.follow; }
  Head head() const override EXCLUDES(mu_);
  Result<RepositoryInfo> Info() const override EXCLUDES(mu_);
  Result<Head> Append(codec::EventBody body, const Actor& actor) override EXCLUDES(mu_);
  Result<Head> AppendAll(std::vector<codec::EventBody> bodies, const Actor& actor) override
      EXCLUDES(mu_);
  Result<Head> AppendPlanned(const Plan& plan, const Actor& actor) override EXCLUDES(mu_);
  Result<RegistryView> View(uint64_t as_of) const override EXCLUDES(mu_);
  Result<std::vector<LogRecord>> ReadLog(uint64_t from, size_t limit) const override EXCLUDES(mu_);
  Result<codec::Hash128> ChainHashAt(uint64_t sequence) const override;
  Result<Head> HeadAt(uint64_t sequence) const override;
  Result<DigestReport> ComputeStateDigest(uint64_t as_of) const override EXCLUDES(mu_);
  Status WaitForChange(uint64_t after, std::chrono::steady_clock::time_point deadline) override
      EXCLUDES(mu_);
  Result<bool> Refresh() override EXCLUDES(refresh_mu_, mu_);
  bool is_replica() const override { return replica_; }
  using EventStore::ApplyReplicated;
  Result<Head> ApplyReplicated(const std::vector<ReplicatedEvent>& events) override EXCLUDES(mu_);
  Result<uint64_t> SequenceAtTime(int64_t time_ns) const override;
  Status VerifyLog() const override EXCLUDES(mu_);
  Status Sync() override EXCLUDES(mu_);

 private:
  // PermissionDenied unless clients may append (not read-only, not a replica).
  Status CheckAppendable() const EXCLUDES(sync_mu_);
  // LoadMeta's work; Refresh holds mu_ across it.
  Status LoadMetaLocked(bool check_indexes) REQUIRES(mu_);
  // "*batch" may already hold writes to commit with the event.
  Result<Head> AppendLocked(codec::EventBody body, const Actor& actor, rocksdb::WriteBatch* batch)
      REQUIRES(mu_);
  // AppendAll's work: every body or none.
  Result<Head> AppendAllLocked(std::vector<codec::EventBody> bodies, const Actor& actor)
      REQUIRES(mu_);
  // Makes the next event (sequence head + 1 of "*head",
  // committed at "time_ns") of "body", applies it to "index" with
  // "*universe" (replaced if the event declares one) and stages it into
  // "batch", advancing "*head" and "*stats". Returns false, staging nothing,
  // for an event that would change nothing.
  Result<bool> StageBodyLocked(codec::EventBody body, const Actor& actor, int64_t time_ns,
                               IndexBatch& index, rocksdb::WriteBatch& batch,
                               std::shared_ptr<const Universe>* universe, Head* head,
                               std::array<FamilyStats, kFamilyCount>* stats) const REQUIRES(mu_);
  // Adds "event" (already applied to "index") and its
  // frame to "batch", and advances "*head" (from the head before it) and
  // "*stats"; with "expected", first checks that the chain hash and state
  // digest come out as the primary's did.
  Status StageLocked(const codec::Event& event, std::string_view frame, const IndexBatch& index,
                     rocksdb::WriteBatch& batch, const Head* expected, Head* head,
                     std::array<FamilyStats, kFamilyCount>* stats) const REQUIRES(mu_);
  // Adds the new head, the changed family stats and the content partitions
  // changed by "parts" (content_digest.h) to "batch", writes it and makes
  // "head" (ahead of the store's) and "stats" the store's.
  Status PublishLocked(rocksdb::WriteBatch& batch, const PartMap& parts, const Head& head,
                       const std::array<FamilyStats, kFamilyCount>& stats, std::string_view what)
      REQUIRES(mu_);
  // ApplyReplicated's work, under mu_: applies what verifies, in groups, and
  // sets "*applied_head" to the head after the last event staged.
  Status ApplyReplicatedLocked(const std::vector<ReplicatedEvent>& events, Head* applied_head)
      EXCLUDES(mu_);
  // Returns once every event up to "sequence" is durable: one caller at a
  // time syncs RocksDB's log for all that was staged, the others wait for it
  // (group commit). At once for a store opened without sync, whose writes are
  // published as they are made.
  Status AwaitDurable(uint64_t sequence) EXCLUDES(mu_, sync_mu_);
  // Decodes, checks and applies one replicated event into "group", advancing
  // "*head" and "*stats"; leaves the group unchanged if it fails.
  Status ApplyOneReplicated(const ReplicatedEvent& e, ReplayGroup& group, Head* head,
                            std::array<FamilyStats, kFamilyCount>* stats) REQUIRES(mu_);
  Status Write(rocksdb::WriteBatch* batch, std::string_view what);
  Status CheckIndexesPresent() const REQUIRES(mu_);
  // Records the repository id and format version in "*batch" and in memory.
  void PutIdentity(const codec::Uuid& repository_id, rocksdb::WriteBatch* batch);
  void CloseDb();
  // Records head_ in the high-water file after a synced commit (best effort:
  // a missed update only makes the check at open weaker).
  void NoteCommitted() REQUIRES(mu_);
  // Flushes every family if the live write-ahead logs pass the bounds above.
  void FlushIfLogsPileUp();
  // Merges the small table files of each family that has many.
  void CompactSmallTables();
  // After a flush: writes a record that makes followers drop what they
  // replayed from the retired log (event_store_durability.cc).
  Status MarkFlushed();

  const std::string root_;
  const StoreOptions options_;
  std::string secondary_path_;  // A follower's scratch folder, removed on close.
  int follow_lock_fd_ = -1;     // A follower's shared lock (FollowerLock).
  std::unique_ptr<rocksdb::DB> db_;
  DbHandles handles_;
  codec::Uuid repository_id_;
  uint32_t format_version_ = 0;
  bool replica_ = false;
  HighWaterFile high_water_;  // A writer's acknowledged mark.
  std::shared_ptr<FlushListener> flush_listener_ = std::make_shared<FlushListener>();
  bool lost_events_ = false;
  bool repairing_ = false;
  bool converting_ = false;
  uint32_t converting_from_ = 0;  // kMetaConverting's value, if present.

  // Serializes a follower's catching up: several threads of one process (a
  // server's sessions) may refresh the same store at once.
  mutable Mutex refresh_mu_;
  // Serializes appends; guards the members below. Taken after refresh_mu_.
  mutable Mutex mu_ ACQUIRED_AFTER(refresh_mu_);
  CondVar head_moved_;  // Signalled, with mu_ held, when head_ moves.
  // The head readers see: the last durable event (with sync), so that no
  // reader, follower or replica acts on one a power cut could take away.
  Head head_ GUARDED_BY(mu_);
  // The head writers build on: head_ and the events written after it that
  // await their fsync (AwaitDurable).
  Head staged_ GUARDED_BY(mu_);
  std::array<FamilyStats, kFamilyCount> stats_ GUARDED_BY(mu_);
  // Fixed by event 1; shared with views, which may outlive a reopen.
  std::shared_ptr<const Universe> universe_ GUARDED_BY(mu_);
  // A replica's replay group, kept from one ApplyReplicated to the next as a
  // rebuild keeps its own: a fresh one grows its WriteBatch of megabytes
  // again from nothing on every call (a fifth of a replica's time went to
  // the kernel zeroing the pages of those reallocations).
  std::unique_ptr<ReplayGroup> replicated_group_ GUARDED_BY(mu_);

  // Group commit. mu_ and sync_mu_ are never held together.
  mutable Mutex sync_mu_;
  CondVar synced_;                             // Signalled, with sync_mu_ held, when a sync ends.
  bool syncing_ GUARDED_BY(sync_mu_) = false;  // A writer is syncing the log for everyone.
  // Every event up to this one is durable.
  uint64_t durable_sequence_ GUARDED_BY(sync_mu_) = 0;
  uint64_t syncs_ GUARDED_BY(sync_mu_) = 0;  // Syncs made by AwaitDurable.
  Status sync_error_ GUARDED_BY(sync_mu_);   // Set by a failed sync: no more appends.
  std::function<Status()> before_sync_;      // TEST_set_before_sync.
};

// Locks "<root>/.starlog/followers.lock": shared by each follower, exclusive
// by a rebuild, which drops the index families under them (a RocksDB
// secondary instance does not survive that). Returns the descriptor that
// holds the lock, or Unavailable naming who holds the other kind.
Result<int> LockFollowers(const std::string& root, bool exclusive);

// The universe to apply "event" with: the one it declares if it is an
// init-repository, else "current". Corruption, naming "where", if neither.
Result<std::shared_ptr<const Universe>> UniverseFor(const codec::Event& event,
                                                    std::shared_ptr<const Universe> current,
                                                    std::string_view where);

// Key of the time index: commit time (sign-flipped, big-endian), sequence.
std::string TimeKey(int64_t time_ns, uint64_t sequence);

}  // namespace starlog::engine
