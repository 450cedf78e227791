#pragma once

// A FIFO for tests of code that must never read one. Should that code
// regress and block opening or reading it, a writer opens and closes the
// FIFO every few milliseconds once "grace" has passed, so the reader sees end
// of file and the test fails on its checks instead of hanging.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace starlog::testutil {

class GuardedFifo {
 public:
  // Makes a FIFO at "path" (mkfifo; REQUIREs success).
  explicit GuardedFifo(std::string path,
                       std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  ~GuardedFifo();
  GuardedFifo(const GuardedFifo&) = delete;
  GuardedFifo& operator=(const GuardedFifo&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread unblocker_;
};

// Runs "fn" in a forked child that SIGALRM kills after "seconds", for code
// that could otherwise read forever (a link to /dev/zero). True if "fn"
// returned true in time. "fn" must not use locks other threads may hold.
bool ReturnsTrueWithin(unsigned seconds, bool (*fn)(const std::string&), const std::string& arg);

}  // namespace starlog::testutil
