#pragma once

// The file work of a place request (protocol.h): files handed to the
// service as open descriptors, put into the repository as the service's
// account, each artifact (size, XXH3-128) computed from the bytes the
// service read. What a Placement created is removed again unless it is
// committed: a refused or abandoned request leaves no file behind.
//
// Not thread-safe: one request's placement, on its session's thread.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "service/unique_fd.h"
#include "starlog/codec/event.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"

namespace starlog::service {

class Placement {
 public:
  // Checks "request" and its descriptors before anything is touched (one
  // per file; each a regular file open for reading; their sizes summing to
  // at most "max_bytes"; hardlink refused; each file naming a dataset entry
  // of a RegisterDatasets event, one file per entry), then places each file
  // under "root" and fills its entry's artifact in request.events. A file
  // that cannot be placed refuses the request when all_or_nothing (what was
  // placed is removed), else its entry is left out of the events (an event
  // left with no entry is dropped) and it is named in skipped().
  // "abandoned", asked before each file, says whether the client has gone:
  // then Unavailable, and what was placed is removed. The descriptors are
  // closed when this returns.
  // "named", when given, holds the (event, entry) pairs earlier parts of
  // the same request named, and receives this part's.
  static Result<Placement> Place(const std::string& root, PlaceRequest& request,
                                 std::vector<UniqueFd> descriptors, uint64_t max_bytes,
                                 const std::function<bool()>& abandoned = nullptr,
                                 std::set<EntryRef>* named = nullptr);

  Placement(Placement&& other) noexcept
      : created_(std::exchange(other.created_, {})),
        folders_(std::exchange(other.folders_, {})),
        skipped_(std::move(other.skipped_)),
        placed_(other.placed_),
        bytes_(other.bytes_) {}
  Placement& operator=(Placement&&) = delete;
  Placement(const Placement&) = delete;
  // Removes every file placed, unless Commit() was called.
  ~Placement();

  // The files left out, in the request's order.
  const std::vector<PlaceSkip>& skipped() const { return skipped_; }
  // How many files were placed (or found already in place), and their bytes.
  size_t placed() const { return placed_; }
  uint64_t bytes() const { return bytes_; }
  // The registration is durable: keep the files.
  void Commit() {
    created_.clear();
    folders_.clear();
  }

 private:
  Placement() = default;
  void Undo();

  std::vector<std::string> created_;  // Absolute paths this placement made.
  std::vector<std::string> folders_;  // And the folders it made for them, in order.
  std::vector<PlaceSkip> skipped_;
  size_t placed_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace starlog::service
