#pragma once

// Proof that two copies of a repository agree: compares the chain hash (which
// covers every event up to it) and the recorded state digest at the last
// sequence both have, and if they differ finds the first event where they
// part, by bisection, a few dozen points per round trip. With "content",
// compares instead what two repositories of any lineage hold (content_compare.h),
// the other a folder or a `starlog serve` (read as of one point over the
// connection, only the partitions that differ fetched).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "starlog/codec/hash.h"
#include "starlog/engine/content_compare.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/channel.h"
#include "starlog/result.h"

namespace starlog::replication {

struct VerifyReport {
  uint64_t local_head = 0;
  uint64_t other_head = 0;
  uint64_t common = 0;          // The last sequence both hold: min of the heads.
  bool agree = false;           // Chain hash and state digest equal at "common".
  codec::Hash128 chain_hash;    // Local, at "common".
  codec::Hash128 state_digest;  // Local, recorded at "common".
  // When they disagree: the first sequence whose chain hash differs (or, if
  // the chains agree, "common", whose recorded digests differ).
  uint64_t first_difference = 0;
  // With "recompute": whether the local indexes still sum to the recorded
  // digest at "common".
  bool recomputed = false;
  bool indexes_intact = true;
  // With VerifyOptions::content: the comparison of contents, whose "agree"
  // is then also this report's (the log fields are left at their defaults).
  std::optional<engine::ContentReport> content;
};

struct VerifyOptions {
  // Also recompute the local state digest from the indexes (reads all state).
  bool recompute = false;
  // Compare contents, not logs: for repositories of different lineage
  // (another repository id, events in another order). A folder or a peer.
  bool content = false;
  engine::ContentOptions content_options;
  // For a remote peer.
  std::string key;
  TlsOptions tls;
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// "other" is HOST:PORT (a `starlog serve`) or the path of another copy.
Result<VerifyReport> Verify(const engine::EventStore& local, const std::string& other,
                            const VerifyOptions& options);

}  // namespace starlog::replication
