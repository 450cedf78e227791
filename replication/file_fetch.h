#pragma once

// Copying one dataset's file from the primary: the bytes go to a temporary
// name beside the target, are hashed as they arrive, and take the target's
// place (renamed, after an fsync) only if size and XXH3-128 match what the
// registry records. A mismatch is fetched again, a few times; what never
// matches is not kept.

#include <string>

#include "starlog/codec/event.h"
#include "starlog/replication/channel.h"
#include "starlog/result.h"

namespace starlog::replication {

struct FetchOutcome {
  bool copied = false;  // False: already present and intact, or failed.
  uint64_t bytes = 0;   // Received, over all attempts.
  std::string problem;  // Why the file could not be had; empty on success.
};

// Returns an error only when the connection fails (the caller reconnects),
// or when the primary sends more bytes than the registry records for the
// file: then the fetch stops at that chunk, keeps nothing, and returns
// Corruption, since the rest of the stream is unread. A file the primary
// lacks or cannot send intact is an outcome with a problem.
// "artifact" is dataset "dataset_id"'s.
Result<FetchOutcome> FetchFile(Channel& channel, const std::string& root,
                               const codec::Uuid& dataset_id, const codec::Artifact& artifact,
                               int attempts = 3);

}  // namespace starlog::replication
