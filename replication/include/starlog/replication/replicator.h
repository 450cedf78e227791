#pragma once

// The replica's side of replication: makes the repository at "root" a copy
// of the one a primary serves (server.h), and with "follow" keeps it one.
//
// On first use it creates the replica, with the primary's repository id.
// Then it tells the primary where its log ends, and applies what comes back
// through EventStore::ApplyReplicated, which verifies every frame's checksum,
// sequence, chain hash and the state digest after it before committing it:
// the replica's indexes equal the primary's at every sequence, and nothing
// unverified is ever applied. After each batch of events it copies the files
// of their datasets to the same relative paths under its own root, verifying
// each file's XXH3-128 before it takes its place.
//
// A broken connection, a timeout or a damaged message is retried, with a
// growing pause; a refusal (wrong key, another repository, divergence,
// another protocol version) is final. Progress and errors go to the
// replica's status file (replication_status.h).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "starlog/replication/channel.h"
#include "starlog/replication/replication_status.h"
#include "starlog/result.h"

namespace starlog::replication {

struct ReplicateOptions {
  std::string root;  // The replica: a new or empty folder, or an existing replica.
  std::string from;  // The primary's HOST:PORT.
  std::string key;   // The shared key (ReadKeyFile).
  TlsOptions tls;    // ca_file: connect over TLS, verifying the primary.
  // Keep following the primary's new events until "stop" says so. Without
  // it, return once caught up.
  bool follow = false;
  // Copy files at all; and if so, only those of datasets in these
  // collections (names or globs; chains expand; empty: every dataset).
  bool copy_files = true;
  std::vector<std::string> file_collections;
  // On connecting, files copied before are checked for loss: by a stat each
  // (missing, wrong size) by default; with this, by size and XXH3-128,
  // reading every one (bit rot that keeps the size). Default: false.
  bool recheck_contents = false;
  // Without "follow": how many failed attempts in a row to retry.
  int retries = 3;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::chrono::milliseconds max_pause{5000};
  bool sync = true;  // Make each applied batch durable before acking it.
  // Polled between messages; true ends replication (OK).
  std::function<bool()> stop;
  // After every batch, and on every change of state.
  std::function<void(const ReplicationStatus&)> progress;
  // One line per notable thing (connections, errors, files that failed).
  std::function<void(const std::string&)> log;
};

// Replicates until caught up (or, following, until stopped). Returns the
// final error: PermissionDenied for a refusal, InvalidArgument if "root"
// holds a repository that is not a replica, or the last transient error
// once retries are spent.
Status Replicate(const ReplicateOptions& options);

}  // namespace starlog::replication
