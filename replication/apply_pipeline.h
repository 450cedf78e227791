#pragma once

// A replica's applying, on a thread of its own: the connection's thread
// receives and checks the next events message while this one applies the
// messages before it. Whatever is waiting when the applier is free is
// applied as one group (one ApplyReplicated, whose RocksDB writes are a
// rebuild's groups, and one Sync), so the faster the primary sends, the
// larger the groups. At most "depth" messages are held at once (waiting or
// being applied), each at most the channel's message limit: a primary that
// sends faster than the replica applies waits for it.
//
// applied() only moves past events that are durable (after the group's
// Sync, with "sync"): what a replica may acknowledge. The first failure
// stops the applier; the events before the refused one stay applied
// (ApplyReplicated keeps them) and later messages are dropped unapplied.
//
// Thread safety: one thread (the connection's) calls the methods; the
// applier thread is internal.

#include <chrono>
#include <cstdint>
#include <deque>
#include <thread>

#include "starlog/engine/event_store.h"
#include "starlog/mutex.h"
#include "starlog/replication/wire.h"
#include "starlog/result.h"
#include "starlog/thread_annotations.h"

namespace starlog::replication {

class ApplyPipeline {
 public:
  // "*store" must outlive the pipeline. REQUIRES: depth >= 1.
  ApplyPipeline(engine::EventStore* store, bool sync, size_t depth);
  // Lets the group being applied finish (durably), drops the messages
  // waiting, and joins the applier.
  ~ApplyPipeline();
  ApplyPipeline(const ApplyPipeline&) = delete;
  ApplyPipeline& operator=(const ApplyPipeline&) = delete;

  // Hands over a message whose events follow those handed over before.
  // Waits while "depth" messages are held. Returns the applier's error if it
  // has failed (the message is then dropped).
  Status Push(Events events);
  // Waits until every message handed over is applied, or one failed; returns
  // the failure.
  Status Drain();
  // Waits, at most until "deadline", for fewer than "held" messages to be
  // held (or a failure). Returns the number held.
  size_t WaitForLess(size_t held, std::chrono::steady_clock::time_point deadline);

  size_t held() const;
  // The last durably applied event's sequence.
  uint64_t applied() const;
  // The applier's failure; OK while there is none.
  Status error() const;

 private:
  void Run();
  size_t HeldLocked() const REQUIRES(mu_);

  engine::EventStore* const store_;
  const bool sync_;
  const size_t depth_;
  mutable Mutex mu_;
  CondVar changed_;  // Signalled with mu_ held on any change below.
  std::deque<Events> waiting_ GUARDED_BY(mu_);
  size_t applying_ GUARDED_BY(mu_) = 0;  // Messages in the group being applied.
  uint64_t applied_ GUARDED_BY(mu_) = 0;
  Status error_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // Last: starts once the members above exist.
};

}  // namespace starlog::replication
