#pragma once

// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// the annotations of thread_annotations.h, which libstdc++'s lack, so that
// clang checks what each mutex guards (leveldb's port::Mutex and MutexLock).

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "starlog/thread_annotations.h"

namespace starlog {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis that the caller holds this mutex; checks nothing.
  void AssertHeld() ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds "*mu" from construction to destruction. "*mu" must outlive it.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable waited on with a Mutex held (abseil's CondVar).
class CondVar {
 public:
  // Releases "*mu" while waiting, and holds it again on return. Returns false
  // once "deadline" has passed; true on a signal (or a spurious wake-up), so
  // the caller checks its condition again either way.
  bool WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();  // Still held: the caller's lock owns it.
    return woken;
  }
  // Releases "*mu" until signalled (or woken spuriously), then holds it again.
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace starlog
