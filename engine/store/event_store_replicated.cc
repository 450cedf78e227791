// Applying events a primary sent: each frame re-verified and re-applied as
// the primary did, so a replica holds only what it could have written itself.

#include <variant>

#include "engine/model/state_machine.h"
#include "engine/store/check.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/event_codec.h"
#include "starlog/engine/event_store.h"

namespace starlog::engine {

Result<Head> EventStoreImpl::ApplyReplicated(const std::vector<ReplicatedEvent>& events) {
  if (!replica_) {
    return Status::PermissionDenied("repository " + root_ +
                                    " is a primary; only replicas take replicated events");
  }
  if (options_.read_only || options_.follow) {
    return Status::PermissionDenied("repository " + root_ + " is open read-only");
  }
  Head applied_head;
  Status refused = ApplyReplicatedLocked(events, &applied_head);
  STARLOG_RETURN_IF_ERROR(AwaitDurable(applied_head.sequence));
  if (!refused.ok()) return refused;
  return applied_head;
}

Status EventStoreImpl::ApplyReplicatedLocked(const std::vector<ReplicatedEvent>& events,
                                             Head* applied_head) {
  MutexLock lock(&mu_);
  *applied_head = staged_;
  if (!replicated_group_) replicated_group_ = std::make_unique<ReplayGroup>(handles_);
  ReplayGroup& group = *replicated_group_;
  // Emptied on the way out, however it ends: no iterator outlives the call
  // (nor pins a memtable), and the next call starts from what is written.
  struct Emptied {
    ReplayGroup& group;
    ~Emptied() { group.Reset(); }
  } emptied{group};
  Head head = staged_;
  std::array<FamilyStats, kFamilyCount> stats = stats_;
  // The analysis checks a lambda apart from its caller: it runs with mu_ held.
  auto publish = [&]() REQUIRES(mu_) {
    STARLOG_CHECK(head.sequence == staged_.sequence + static_cast<uint64_t>(group.events()),
                  "a group of replicated events is consecutive");
    const std::string what = "replicated events " + std::to_string(staged_.sequence + 1) + " to " +
                             std::to_string(head.sequence);
    return PublishLocked(*group.batch(), group.parts(), head, stats, what);
  };
  for (const ReplicatedEvent& e : events) {
    Status applied = ApplyOneReplicated(e, group, &head, &stats);
    if (!applied.ok()) {
      // Keep what came before the refused event.
      if (group.events() > 0) STARLOG_RETURN_IF_ERROR(publish());
      *applied_head = staged_;
      return applied;
    }
    // An event of a thousand datasets is a big enough write alone: grouping
    // it with the next only makes their reads look through its overlay.
    constexpr uint32_t kBigEnough = 2048;  // RocksDB entries.
    if (group.Full() || group.batch()->Count() >= kBigEnough) {
      STARLOG_RETURN_IF_ERROR(publish());
      *applied_head = staged_;
      group.Reset();
    }
  }
  if (group.events() > 0) STARLOG_RETURN_IF_ERROR(publish());
  *applied_head = staged_;
  return Status::OK();
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

}  // namespace starlog::engine
