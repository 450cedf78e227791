#pragma once

// EventStore: a starlog repository's append-only, checksummed event log in
// RocksDB, with its indexes materialised in the same atomic write.
//
// A repository is a folder. Its registry lives in "<root>/.starlog/registry"
// (a RocksDB database); dataset files live under <root> at paths relative to
// it, so a repository can be moved as a whole.
//
// Thread safety: safe for concurrent use without external synchronization.
// Appends are serialized by an internal mutex; reads never block appends.
// One process at a time may open a repository for writing; others wait up
// to StoreOptions::lock_timeout, then get Unavailable naming the repository.
// Any number may open it read-only. Concurrent appends share their fsyncs
// (group commit): each returns once its events are durable.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/codec/hash.h"
#include "starlog/codec/uuid.h"
#include "starlog/engine/actor.h"
#include "starlog/engine/registry_view.h"
#include "starlog/result.h"

namespace starlog::engine {

// As an as-of point: the head, whatever it is when the view is made.
inline constexpr uint64_t kAtHead = ~uint64_t{0};

// The on-disk format this build writes and reads. Version 2 keys the
// indexes by data IDs' values without their key names (registry_keys.h); a
// repository of version 1 opens only to `starlog rebuild`, which converts it
// (EventStore::Rebuild).
inline constexpr uint32_t kFormatVersion = 2;

struct StoreOptions {
  // Make each append durable (fsync of RocksDB's WAL) before it returns. When
  // false, an append survives a crash of the process but not of the machine.
  // Default: true.
  bool sync = true;
  // Open without the write lock; every append returns PermissionDenied.
  // Default: false.
  bool read_only = false;
  // Follow a repository another process writes: read-only, and Refresh() or
  // WaitForChange() bring in what the writer has committed since (a RocksDB
  // secondary instance). Implies read_only. Default: false.
  bool follow = false;
  // A writer's open waits this long for another writer to let go of the
  // repository (polling its lock) before it returns Unavailable. Default: 0,
  // at once.
  std::chrono::milliseconds lock_timeout{0};
  // Called once if the open has waited a second for the lock, so that a
  // person sees why nothing happens. Default: none.
  std::function<void()> on_lock_wait;
};

struct CreateOptions {
  StoreOptions store;
  // The dimension universe in its config-file form. Empty: the built-in default.
  std::string universe;
  // Who creates the repository (recorded in event 1).
  std::string actor;
  // The repository id. Nil: a new random one. Replicas pass their primary's.
  codec::Uuid repository_id;
  // An access policy to set as event 2 (policy.h; DefaultPolicy(actor) is
  // DMTN-167's). None: nothing is enforced until a policy is set.
  std::optional<codec::SetPolicy> policy;
};

// Where the log ends.
struct Head {
  uint64_t sequence = 0;        // 0 for an empty log.
  codec::Hash128 chain_hash;    // H(sequence); zero for an empty log.
  codec::Hash128 state_digest;  // Sum of the hashes of all live index entries.
  int64_t commit_time_ns = 0;   // Commit time of the last event.
};

// One index family's share of the state.
struct FamilyStats {
  std::string name;
  uint64_t live_entries = 0;
  codec::Hash128 digest;
};

// The state digest recomputed from the index entries themselves.
struct DigestReport {
  uint64_t sequence = 0;
  codec::Hash128 total;
  std::vector<FamilyStats> families;
};

// Rebuild progress: events replayed so far, and in all.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct RepositoryInfo {
  std::string root;
  codec::Uuid repository_id;
  uint32_t format_version = 0;
  Head head;
  std::vector<FamilyStats> families;
};

// One event as stored, with the chain hash and state digest after it.
struct LogRecord {
  uint64_t sequence = 0;
  std::string frame;  // The frame exactly as stored (codec/frame.h).
  codec::Hash128 chain_hash;
  codec::Hash128 state_digest;
  int64_t commit_time_ns = 0;
};

// What `EventStore::Repair` found and did.
struct RepairReport {
  // The last event a writer acknowledged, from the high-water mark kept
  // outside the log; 0 if there is none.
  uint64_t acknowledged = 0;
  // The events the log holds and that verify: the head after the repair.
  uint64_t kept = 0;
  // The acknowledged events that were lost: kept + 1 to acknowledged (none
  // when dropped() is 0).
  uint64_t dropped() const { return acknowledged > kept ? acknowledged - kept : 0; }
  // Whether the indexes had to be rebuilt from the log.
  bool rebuilt_indexes = false;
};

class EventStore {
 public:
  // Creates a repository at "root" (a new or empty folder) and appends event
  // 1, which records the repository id, the format version and the universe.
  // Returns InvalidArgument if "root" already holds a repository.
  static Result<std::unique_ptr<EventStore>> Create(const std::string& root,
                                                    const CreateOptions& options);

  // Creates an empty replica of the repository "repository_id" at "root": no
  // events, not even event 1, which it takes from its primary like the rest
  // (ApplyReplicated). A replica refuses Append with PermissionDenied.
  static Result<std::unique_ptr<EventStore>> CreateReplica(const std::string& root,
                                                           const codec::Uuid& repository_id,
                                                           const StoreOptions& options);

  // Opens an existing repository. Replays nothing: the head is read from
  // meta. Returns NotFound if "root" holds no repository, Unavailable if
  // another process has it open for writing, NotSupported for another format,
  // and Corruption (saying to run `starlog rebuild`) if its indexes were lost
  // or a rebuild did not finish, or (saying to run `starlog repair`, naming the
  // acknowledged head and what the log holds) if the log ends before the last
  // event a writer acknowledged.
  static Result<std::unique_ptr<EventStore>> Open(const std::string& root,
                                                  const StoreOptions& options);

  // Drops every index, replays the log through the same apply path as
  // appends, and checks the state digest after every event against the one
  // recorded when it was appended. Returns Corruption naming the first
  // sequence that differs (the repository then stays marked for rebuild).
  // "progress", if set, is called now and then.
  //
  // A repository of an older format version (which Open refuses) is
  // converted: its log replayed into indexes of kFormatVersion. Its recorded
  // digests are of the old indexes, so each event's is replaced by the one
  // the new indexes give (events and chain hashes unchanged, and verified as
  // read); "*converted_from", if given, then receives the old version (else
  // 0). An interrupted conversion is run again like any rebuild.
  static Status Rebuild(const std::string& root, const StoreOptions& options,
                        const ProgressFn& progress = nullptr, uint32_t* converted_from = nullptr);

  // Brings back into use a repository that Open refused because its log
  // holds fewer events than were acknowledged (Corruption saying to run
  // `starlog repair`): RocksDB's write-ahead log lost its tail (damaged on
  // disk). Recovers the log up to the damage (point-in-time), checks that
  // every frame and the chain verify, rebuilds the indexes if they were lost,
  // and records the head as the new acknowledged mark. Reports what was kept
  // and what was dropped; the dropped events are gone from this copy (a
  // replica refills from its primary). Returns Corruption, changing nothing,
  // if the log that remains does not verify; Unavailable if another process
  // has the repository open for writing.
  static Result<RepairReport> Repair(const std::string& root, const StoreOptions& options,
                                     const ProgressFn& progress = nullptr);

  virtual ~EventStore() = default;

  virtual const std::string& root() const = 0;
  virtual const codec::Uuid& repository_id() const = 0;
  virtual bool read_only() const = 0;
  virtual Head head() const = 0;
  virtual Result<RepositoryInfo> Info() const = 0;

  // Validates "body" against the current state and, if it is a legal
  // transition, appends it as the next event with the current time and
  // "actor", in one atomic write with every index change and the new head.
  // A rejected event changes nothing: InvalidArgument, NotFound, Conflict or
  // PermissionDenied say why.
  virtual Result<Head> Append(codec::EventBody body, const Actor& actor) = 0;

  // Appends "bodies" as consecutive events, all or none, in one atomic write
  // (one fsync): each keeps its own sequence, frame and head record, and is
  // validated against the state that includes the ones before it. If one is
  // refused nothing is written, and the status names it (its position, when
  // there are several). Bodies that would change nothing are left out.
  virtual Result<Head> AppendAll(std::vector<codec::EventBody> bodies, const Actor& actor) = 0;

  // A read-modify-write: "plan" is called under the writer's lock with the
  // registry at the head and returns the events to append (AppendAll), so no
  // other append can come between what it read and what it writes. An error
  // from "plan" is returned as it is, and nothing is written.
  using Plan = std::function<Result<std::vector<codec::EventBody>>(const RegistryView& head)>;
  virtual Result<Head> AppendPlanned(const Plan& plan, const Actor& actor) = 0;

  // The registry as it was after event "as_of" (kAtHead: the current head).
  // Returns InvalidArgument for a sequence past the head. The view must not
  // outlive this store.
  virtual Result<RegistryView> View(uint64_t as_of = kAtHead) const = 0;

  // Reads up to "limit" events from sequence "from" on, checking each frame's
  // checksum and the hash chain from H(from - 1). Returns Corruption naming
  // the first sequence that fails.
  virtual Result<std::vector<LogRecord>> ReadLog(uint64_t from, size_t limit) const = 0;

  // The chain hash after event "sequence" (zero for 0). NotFound past the head.
  virtual Result<codec::Hash128> ChainHashAt(uint64_t sequence) const = 0;

  // Sequence, chain hash, state digest and commit time recorded after event
  // "sequence". NotFound past the head.
  virtual Result<Head> HeadAt(uint64_t sequence) const = 0;

  // Sums the hashes of every index entry live as of "as_of" (kAtHead: the
  // head), per family and in total. It reads the whole state: a check, not a
  // lookup. Equal to HeadAt(as_of).state_digest unless an index is damaged.
  virtual Result<DigestReport> ComputeStateDigest(uint64_t as_of = kAtHead) const = 0;

  // Returns OK once the head is past "after", TimedOut at "deadline". A
  // writer is woken by its own appends; a follower (StoreOptions::follow) by
  // the writer's commits to the log; a plain read-only store returns
  // NotSupported.
  virtual Status WaitForChange(uint64_t after, std::chrono::steady_clock::time_point deadline) = 0;

  // For a follower: catches up with what the writer has committed. Returns
  // whether the head moved. A no-op otherwise.
  virtual Result<bool> Refresh() = 0;

  // Whether this repository is a replica (read-only to clients).
  virtual bool is_replica() const = 0;

  // For a replica: applies the primary's next events, in order. Each "frame"
  // is an event as the primary stored it and "expected" the head the primary
  // recorded after it. The frame's checksum, its sequence (head + 1), the
  // chain hash and the state digest after applying it through the same apply
  // path as appends must all match, or nothing of that event is written and
  // Corruption says which failed; the events before it are kept. Consecutive
  // events are written together, many to a RocksDB write.
  struct ReplicatedEvent {
    std::string_view frame;
    Head expected;
  };
  virtual Result<Head> ApplyReplicated(const std::vector<ReplicatedEvent>& events) = 0;
  Result<Head> ApplyReplicated(std::string_view frame, const Head& expected) {
    return ApplyReplicated(std::vector<ReplicatedEvent>{{frame, expected}});
  }

  // The newest sequence committed at or before "time_ns"; 0 if none.
  virtual Result<uint64_t> SequenceAtTime(int64_t time_ns) const = 0;

  // Reads every frame from 1 to the head, checking checksums, the chain, the
  // recorded chain hashes and that each frame decodes. Returns Corruption
  // naming the first bad sequence.
  virtual Status VerifyLog() const = 0;

  // Makes every append (and replicated event) so far durable, for a store
  // opened without StoreOptions::sync: one fsync for a whole batch.
  virtual Status Sync() = 0;
};

// The folder inside a repository root that holds the registry database.
std::string RegistryPath(const std::string& root);

}  // namespace starlog::engine
