// Not part of any test binary: tests/engine/CMakeLists.txt runs clang on it
// with the flags of clang builds, once as it is (it must compile) and once
// with STARLOG_FORGET_LOCK, which drops the lock before a guarded access
// (it must not). So the annotations and -Werror=thread-safety bite.

#include "starlog/mutex.h"
#include "starlog/thread_annotations.h"

namespace {

class Counter {
 public:
  void Add() EXCLUDES(mu_) {
#ifndef STARLOG_FORGET_LOCK
    starlog::MutexLock lock(&mu_);
#endif
    AddLocked();
  }

 private:
  void AddLocked() REQUIRES(mu_) { ++count_; }

  starlog::Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter counter;
  counter.Add();
  return 0;
}
