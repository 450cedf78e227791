#include "replication/apply_pipeline.h"

#include <cassert>
#include <vector>

namespace starlog::replication {

ApplyPipeline::ApplyPipeline(engine::EventStore* store, bool sync, size_t depth)
    : store_(store), sync_(sync), depth_(depth) {
  assert(depth >= 1);  // A pipeline that holds nothing could never take a message.
  {
    MutexLock lock(&mu_);
    applied_ = store_->head().sequence;
  }
  thread_ = std::thread([this] { Run(); });
}

ApplyPipeline::~ApplyPipeline() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  thread_.join();
}

size_t ApplyPipeline::HeldLocked() const { return waiting_.size() + applying_; }

Status ApplyPipeline::Push(Events events) {
  MutexLock lock(&mu_);
  while (error_.ok() && HeldLocked() >= depth_) changed_.Wait(&mu_);
  if (!error_.ok()) return error_;
  waiting_.push_back(std::move(events));
  changed_.SignalAll();
  return Status::OK();
}

Status ApplyPipeline::Drain() {
  MutexLock lock(&mu_);
  while (error_.ok() && HeldLocked() > 0) changed_.Wait(&mu_);
  return error_;
}

size_t ApplyPipeline::WaitForLess(size_t held, std::chrono::steady_clock::time_point deadline) {
  MutexLock lock(&mu_);
  while (error_.ok() && HeldLocked() >= held) {
    if (!changed_.WaitUntil(&mu_, deadline)) break;
  }
  return HeldLocked();
}

size_t ApplyPipeline::held() const {
  MutexLock lock(&mu_);
  return HeldLocked();
}

uint64_t ApplyPipeline::applied() const {
  MutexLock lock(&mu_);
  return applied_;
}

Status ApplyPipeline::error() const {
  MutexLock lock(&mu_);
  return error_;
}

void ApplyPipeline::Run() {
  while (true) {
    std::vector<Events> group;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && waiting_.empty()) changed_.Wait(&mu_);
      if (stopping_) return;
      while (!waiting_.empty()) {
        group.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
      applying_ = group.size();
    }
    std::vector<engine::EventStore::ReplicatedEvent> batch;
    for (const Events& message : group) {
      for (const WireEvent& e : message.events) {
        batch.push_back(
            {e.frame,
             {e.point.sequence, e.point.chain_hash, e.point.state_digest, e.point.commit_time_ns}});
      }
    }
    Status s = store_->ApplyReplicated(batch).status();
    // The events before a refused one stay applied: make them durable too,
    // so that the replica resumes from them.
    Status synced = sync_ ? store_->Sync() : Status::OK();
    if (s.ok()) s = synced;
    MutexLock lock(&mu_);
    applying_ = 0;
    if (synced.ok()) applied_ = store_->head().sequence;
    if (!s.ok()) {
      error_ = s;
      waiting_.clear();
      changed_.SignalAll();
      return;
    }
    changed_.SignalAll();
  }
}

}  // namespace starlog::replication
