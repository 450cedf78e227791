#pragma once

// A real child process for tests: started with posix_spawn, its stdout piped
// back, killed with any signal. Killed with SIGKILL and reaped on destruction.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace starlog::testutil {

class ChildProcess {
 public:
  // Starts argv[0] with the arguments that follow. Throws on failure to spawn.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads one line of the child's stdout (without the newline), or nullopt on
  // end of file or when "timeout" passes first.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);

  void Kill(int signal);
  // Waits until the child catches "signal" (has installed a handler for it,
  // per /proc/PID/status), so that sending it does not kill a child still
  // starting up. Returns false if "timeout" passes first.
  bool WaitUntilCatching(int signal, std::chrono::milliseconds timeout);
  // Waits until the child holds an inotify descriptor (per /proc/PID/fd), that
  // is, until a follower such as `starlog wait` is watching for changes, so
  // that a test times the wake-up and not the child's start. Returns false if
  // "timeout" passes first.
  bool WaitUntilWatching(std::chrono::milliseconds timeout);
  // Waits for the child to exit; returns its raw wait status.
  int Wait();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = false;
  std::string buffered_;
};

}  // namespace starlog::testutil
