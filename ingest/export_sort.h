#pragma once

// A sort of (key, value) entries in bounded memory, for an export whose
// datasets are too many to hold (bundle.cc). Entries are held up to a
// budget, then written sorted to a run file in a scratch folder; reading
// merges the runs and what is still held, each key once (its first entry).
// When kMaxRuns files are written they are merged into one, so that a merge
// reads at most that many at once, each through a fixed buffer.
//
//   run file := entry*
//   entry    := fixed32(key bytes) fixed32(value bytes) key value
//
// Not thread-safe.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "starlog/result.h"

namespace starlog::ingest::internal {

class ExternalSort {
 public:
  inline static constexpr size_t kMaxRuns = 32;
  // A key or value over this is refused (Add) or, read back, Corruption.
  inline static constexpr size_t kMaxEntryBytes = size_t{4} << 20;

  // Run files go into the folder "scratch", made when the first is written
  // and removed with its files by the destructor. About "memory_bytes" of
  // entries are held before a run is written.
  ExternalSort(std::string scratch, size_t memory_bytes);
  ~ExternalSort();
  ExternalSort(const ExternalSort&) = delete;
  ExternalSort& operator=(const ExternalSort&) = delete;

  // IOError if a run cannot be written; InvalidArgument for an entry over
  // kMaxEntryBytes.
  Status Add(std::string key, std::string value);

  // Each distinct key in order with the value first added under it; "fn"
  // returning an error stops the walk and is returned. May be called more
  // than once; no Add after the first call.
  using EntryFn = std::function<Status(std::string_view key, std::string_view value)>;
  Status ForEach(const EntryFn& fn);

  // Test hook: the run files written so far (merges included).
  uint64_t TEST_runs_written() const { return runs_written_; }

 private:
  Status WriteRun();
  Status MergeRuns();
  // Merges the files "runs" and then the held entries (already sorted) into fn.
  Status Merge(const std::vector<std::string>& runs, const EntryFn& fn);

  std::string scratch_;
  size_t memory_bytes_;
  std::vector<std::pair<std::string, std::string>> held_;
  size_t held_bytes_ = 0;
  bool held_sorted_ = false;
  std::vector<std::string> runs_;  // Paths, oldest first.
  uint64_t runs_written_ = 0;
};

}  // namespace starlog::ingest::internal
