#pragma once

// RocksDB's info log for a repository: a small file that never fails.
//
// RocksDB's own info log rolls to a new file at every open (a CLI command is
// one open) and, in Debian's build without NDEBUG, asserts when a write to it
// fails after an earlier failure: a full disk aborted every command. This
// logger appends warnings and errors to "<dir>/LOG", ignores every write
// error, and rolls the file to "<dir>/LOG.old" (replacing it) once it passes
// kMaxInfoLogBytes: two files at most, whatever the number of opens.

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace starlog::engine {

inline constexpr size_t kMaxInfoLogBytes = 1 << 20;

// "may_roll": only the writer rolls the file; readers and followers append.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir, bool may_roll);

}  // namespace starlog::engine
