#pragma once

// The acknowledged high-water mark: the last event a writer acknowledged as
// durable, kept in a small file outside RocksDB ("<root>/.starlog/acknowledged")
// so that a write-ahead log that lost committed events (a flipped byte makes
// RocksDB's point-in-time recovery stop early, silently) is detected at open.
//
//   file     := magic sequence chain_hash checksum      (40 bytes)
//   magic    := "SLACK001"
//   sequence := fixed64          the acknowledged head
//   chain    := hash128          H(sequence)
//   checksum := fixed64          XXH3-64 of the 32 bytes before it
//
// The writer rewrites it in place (pwrite at offset 0, no fsync) after every
// synced commit, and fsyncs it on close: a process crash (SIGKILL) keeps every
// update, since the page cache survives it; a power cut may leave it behind the
// log, never ahead, since it is written after the commit it names. A missing
// or unreadable file checks nothing (a repository from before it, or a torn
// write of the mark itself) and is rewritten at the next commit.

#include <cstdint>
#include <optional>
#include <string>

#include "starlog/codec/hash.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::engine {

inline constexpr size_t kHighWaterSize = 8 + 8 + 16 + 8;

std::string HighWaterPath(const std::string& root);

// The recorded mark, or nullopt if there is none (or it does not verify).
std::optional<Head> ReadHighWater(const std::string& root);

// Not thread-safe: the writer calls it under its append mutex.
class HighWaterFile {
 public:
  HighWaterFile() = default;
  ~HighWaterFile();
  HighWaterFile(const HighWaterFile&) = delete;
  HighWaterFile& operator=(const HighWaterFile&) = delete;

  // Opens (creating) the file of "root".
  Status Open(const std::string& root);
  bool is_open() const { return fd_ >= 0; }
  // Records "head" as acknowledged; with "sync", also fsyncs the file.
  Status Record(const Head& head, bool sync);
  void Close();

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace starlog::engine
