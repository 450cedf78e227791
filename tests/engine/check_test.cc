#include "engine/store/check.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

namespace starlog::engine {
namespace {

TEST_CASE("STARLOG_CHECK aborts with its message in every build, NDEBUG or not", "[check]") {
  volatile int two = 2;  // Not a constant: the check runs.
  STARLOG_CHECK(two == 2, "a check that holds does nothing");
  int err[2];
  REQUIRE(::pipe(err) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::dup2(err[1], STDERR_FILENO);
    STARLOG_CHECK(two == 3, "two is three");
    _exit(0);  // Reached only if the check compiled away.
  }
  ::close(err[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = ::read(err[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));
  CHECK(out.find("check failed: two == 3: two is three") != std::string::npos);
}

}  // namespace
}  // namespace starlog::engine
