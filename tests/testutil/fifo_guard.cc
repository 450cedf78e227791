#include "tests/testutil/fifo_guard.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace starlog::testutil {

GuardedFifo::GuardedFifo(std::string path, std::chrono::milliseconds grace)
    : path_(std::move(path)) {
  REQUIRE(::mkfifo(path_.c_str(), 0644) == 0);
  unblocker_ = std::thread([this, grace] {
    const auto start = std::chrono::steady_clock::now();
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (std::chrono::steady_clock::now() - start < grace) continue;
      // Succeeds only while someone has it open for reading.
      const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
    }
  });
}

GuardedFifo::~GuardedFifo() {
  stop_.store(true);
  unblocker_.join();
}

bool ReturnsTrueWithin(unsigned seconds, bool (*fn)(const std::string&), const std::string& arg) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::alarm(seconds);  // Default action: the child dies.
    ::_exit(fn(arg) ? 0 : 1);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace starlog::testutil
