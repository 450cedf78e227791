// Test helper: runs a program under resource limits, as a shell's `ulimit`
// would, for the tests of open-file and disk-space limits.
//
//   limited_exec [--nofile N] [--fsize BYTES] [--stderr-to-stdout] -- PROGRAM [ARGS...]
//
// --fsize also ignores SIGXFSZ, so that a write past the limit fails with
// EFBIG, as a write to a full disk fails with ENOSPC, instead of killing the
// program.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool SetLimit(int resource, rlim_t value) {
  rlimit limit{value, value};
  return setrlimit(resource, &limit) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "--stderr-to-stdout") == 0) {
      dup2(STDOUT_FILENO, STDERR_FILENO);
      continue;
    }
    if (i + 1 >= argc) break;
    const rlim_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--nofile") == 0) {
      if (!SetLimit(RLIMIT_NOFILE, value)) std::perror("setrlimit RLIMIT_NOFILE");
    } else if (std::strcmp(argv[i], "--fsize") == 0) {
      signal(SIGXFSZ, SIG_IGN);  // Kept across exec.
      if (!SetLimit(RLIMIT_FSIZE, value)) std::perror("setrlimit RLIMIT_FSIZE");
    } else {
      std::fprintf(stderr, "limited_exec: unknown option %s\n", argv[i]);
      return 2;
    }
    ++i;
  }
  if (i + 1 >= argc) {
    std::fprintf(stderr, "usage: limited_exec [--nofile N] [--fsize BYTES] -- PROGRAM [ARGS...]\n");
    return 2;
  }
  execv(argv[i + 1], argv + i + 1);
  std::perror("execv");
  return 127;
}
