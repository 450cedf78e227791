#pragma once

// STARLOG_CHECK(condition, message): an assert that every build keeps. Every
// build defines NDEBUG (RelWithDebInfo, the default and CI's), which compiles
// assert away; the store's invariants are integer compares next to a
// RocksDB write, too cheap to drop and too costly to break silently (a gap
// or a step back in the log). For programmer errors only: bytes from disk or
// network are checked into a Status before they get here.

#include <cstdio>
#include <cstdlib>

namespace starlog::engine::internal {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition,
                                     const char* message) {
  std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", file, line, condition, message);
  std::abort();
}

}  // namespace starlog::engine::internal

#define STARLOG_CHECK(condition, message) \
  ((condition)                            \
       ? static_cast<void>(0)             \
       : ::starlog::engine::internal::CheckFailed(__FILE__, __LINE__, #condition, message))
