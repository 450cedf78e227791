// Appending: each event validated against the state, framed, chained, and
// written with its index entries in one atomic WriteBatch.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <variant>

#include "engine/model/state_machine.h"
#include "engine/query/registry_view_impl.h"
#include "engine/store/check.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/high_water.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/event_store.h"

namespace starlog::engine {

std::string TimeKey(int64_t time_ns, uint64_t sequence) {
  std::string key;
  codec::PutBigEndian64(&key, static_cast<uint64_t>(time_ns) ^ (uint64_t{1} << 63));
  codec::PutBigEndian64(&key, sequence);
  return key;
}

Status EventStoreImpl::CheckAppendable() const {
  {
    MutexLock lock(&sync_mu_);
    if (!sync_error_.ok()) {
      return Status::IOError("repository " + root_ +
                             " stopped taking events after a failed sync (" +
                             std::string(sync_error_.message()) + "); open it again");
    }
  }
  if (read_only()) {
    return Status::PermissionDenied("repository " + root_ + " is open read-only");
  }
  if (replica_) {
    return Status::PermissionDenied("repository " + root_ +
                                    " is a replica: it takes events only from its primary");
  }
  return Status::OK();
}

Result<Head> EventStoreImpl::Append(codec::EventBody body, const Actor& actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  Head head;
  {
    MutexLock lock(&mu_);
    rocksdb::WriteBatch batch;
    STARLOG_ASSIGN_OR_RETURN(head, AppendLocked(std::move(body), actor, &batch));
  }
  STARLOG_RETURN_IF_ERROR(AwaitDurable(head.sequence));
  return head;
}

Result<Head> EventStoreImpl::AppendAll(std::vector<codec::EventBody> bodies, const Actor& actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  Head head;
  {
    MutexLock lock(&mu_);
    STARLOG_ASSIGN_OR_RETURN(head, AppendAllLocked(std::move(bodies), actor));
  }
  STARLOG_RETURN_IF_ERROR(AwaitDurable(head.sequence));
  return head;
}

Result<Head> EventStoreImpl::AppendPlanned(const Plan& plan, const Actor& actor) {
  STARLOG_RETURN_IF_ERROR(CheckAppendable());
  Head head;
  {
    MutexLock lock(&mu_);
    std::vector<codec::EventBody> bodies;
    {
      // The plan reads what earlier writers staged, durable or not yet: its
      // events go after theirs. The view lives only while the plan reads it:
      // its iterators must be gone before the write they would not see.
      const RegistryView view(
          std::make_shared<const RegistryView::Impl>(handles_, staged_.sequence, universe_));
      STARLOG_ASSIGN_OR_RETURN(bodies, plan(view));
    }
    STARLOG_ASSIGN_OR_RETURN(head, AppendAllLocked(std::move(bodies), actor));
  }
  STARLOG_RETURN_IF_ERROR(AwaitDurable(head.sequence));
  return head;
}

Status EventStoreImpl::AwaitDurable(uint64_t sequence) {
  if (!options_.sync) return Status::OK();
  MutexLock lock(&sync_mu_);
  while (durable_sequence_ < sequence) {
    if (!sync_error_.ok()) return sync_error_;
    if (syncing_) {
      synced_.Wait(&sync_mu_);
      continue;
    }
    // This writer leads: one fsync for everything staged by now, its own
    // events and those of every writer that staged while the last fsync ran.
    syncing_ = true;
    sync_mu_.Unlock();
    Head target;
    {
      MutexLock writer(&mu_);
      target = staged_;
    }
    Status synced = before_sync_ ? before_sync_() : Status::OK();
    if (synced.ok()) {
      synced = FromRocks(db_->FlushWAL(/*sync=*/true), "sync the log of " + root_);
    }
    if (synced.ok()) {
      MutexLock writer(&mu_);
      STARLOG_CHECK(target.sequence >= head_.sequence, "the durable head only moves forward");
      if (target.sequence > head_.sequence) {
        head_ = target;
        NoteCommitted();
        head_moved_.SignalAll();
      }
    }
    sync_mu_.Lock();
    syncing_ = false;
    ++syncs_;
    if (synced.ok()) {
      durable_sequence_ = std::max(durable_sequence_, target.sequence);
    } else {
      // The staged events may or may not be on disk: the store appends no
      // more (CheckAppendable); a reopen recovers what the log holds and
      // checks it against the acknowledged mark.
      sync_error_ = synced;
    }
    synced_.SignalAll();
  }
  return Status::OK();
}

Result<Head> EventStoreImpl::AppendLocked(codec::EventBody body, const Actor& actor,
                                          rocksdb::WriteBatch* batch_ptr) {
  rocksdb::WriteBatch& batch = *batch_ptr;
  IndexBatch index(handles_, staged_.sequence + 1, &batch);
  // Commit times never go backwards, so the time index is ordered like the log.
  const int64_t time_ns = std::max(codec::NowUtcNs(), staged_.commit_time_ns);
  std::shared_ptr<const Universe> universe = universe_;
  Head next = staged_;
  std::array<FamilyStats, kFamilyCount> stats = stats_;
  STARLOG_ASSIGN_OR_RETURN(bool staged, StageBodyLocked(std::move(body), actor, time_ns, index,
                                                        batch, &universe, &next, &stats));
  if (!staged) return staged_;  // Nothing would change: not an event.
  STARLOG_RETURN_IF_ERROR(PublishLocked(batch, index.parts(), next, stats,
                                        "append event " + std::to_string(next.sequence)));
  universe_ = std::move(universe);
  return staged_;
}

Result<Head> EventStoreImpl::AppendAllLocked(std::vector<codec::EventBody> bodies,
                                             const Actor& actor) {
  if (bodies.size() == 1) {
    rocksdb::WriteBatch batch;
    return AppendLocked(std::move(bodies.front()), actor, &batch);
  }
  // Each event sees the ones before it through the group's overlay; the
  // group is written once, after the last, or not at all.
  ReplayGroup group(handles_);
  const int64_t time_ns = std::max(codec::NowUtcNs(), staged_.commit_time_ns);
  std::shared_ptr<const Universe> universe = universe_;
  Head next = staged_;
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
  if (group.events() == 0) return staged_;
  STARLOG_CHECK(next.sequence == staged_.sequence + static_cast<uint64_t>(group.events()),
                "a batch's events are consecutive");
  STARLOG_RETURN_IF_ERROR(PublishLocked(*group.batch(), group.parts(), next, stats,
                                        "append events " + std::to_string(staged_.sequence + 1) +
                                            " to " + std::to_string(next.sequence)));
  universe_ = std::move(universe);
  return staged_;
}

Result<bool> EventStoreImpl::StageBodyLocked(codec::EventBody body, const Actor& actor,
                                             int64_t time_ns, IndexBatch& index,
                                             rocksdb::WriteBatch& batch,
                                             std::shared_ptr<const Universe>* universe, Head* head,
                                             std::array<FamilyStats, kFamilyCount>* stats) const {
  codec::Event event;
  event.sequence = head->sequence + 1;
  event.commit_time_ns = time_ns;
  event.actor = actor.user;
  event.via = actor.via;
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
  STARLOG_CHECK(event.sequence == prev.sequence + 1, "staged events are dense");
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

Status EventStoreImpl::PublishLocked(rocksdb::WriteBatch& batch, const PartMap& parts,
                                     const Head& head,
                                     const std::array<FamilyStats, kFamilyCount>& stats,
                                     std::string_view what) {
  STARLOG_CHECK(head.sequence > staged_.sequence, "the head only moves forward");
  // Every earlier publish is written already (if not yet synced), so the
  // stored partitions are the state these events build on.
  STARLOG_RETURN_IF_ERROR(AddToStoredParts(handles_, parts, &batch));
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const FamilyStats& fs = stats[i];
    if (fs.live_entries == stats_[i].live_entries && fs.digest == stats_[i].digest) continue;
    batch.Put(handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + fs.name,
              EncodeFamilyStats(fs));
  }
  batch.Put(handles_[Family::kMeta], std::string(kMetaHead), EncodeHead(head));
  if (!options_.sync) {
    STARLOG_RETURN_IF_ERROR(Write(&batch, what));
    staged_ = head;
    stats_ = stats;
    head_ = head;                      // Not durable, by request: readers see it at once.
    static_cast<void>(MarkFlushed());  // Best effort: a follower then waits for the next commit.
    head_moved_.SignalAll();
    return Status::OK();
  }
  // Group commit: the write goes to RocksDB's log unsynced, so that the next
  // writer can stage its events on top of these at once; the caller then
  // waits in AwaitDurable for one fsync that covers every write staged so
  // far. Readers see the events only then (head_), so nobody acts on an
  // event a power cut could still take away.
  rocksdb::WriteOptions unsynced;
  unsynced.sync = false;
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->Write(unsynced, &batch), what));
  staged_ = head;
  stats_ = stats;
  static_cast<void>(MarkFlushed());
  return Status::OK();
}

Status EventStoreImpl::Sync() {
  if (options_.read_only || options_.follow) return Status::OK();
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "sync the log of " + root_));
  MutexLock lock(&mu_);
  static_cast<void>(high_water_.Record(head_, /*sync=*/false));  // Best effort: see NoteCommitted.
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

}  // namespace starlog::engine
