#pragma once

// What a replica knows about its replication, kept in
// "<root>/.starlog/replication.json" (replaced whole by a rename, so a reader
// never sees half of it): where it replicates from, how far behind it is, the
// last error, and how far its files are copied. `starlog status` reads it
// while `starlog replicate --follow` writes it.
//
// Files are copied after their events are applied: every file of events up
// to files_through is copied and verified, skipped by choice, or listed in
// failed_files (retried on every connection). If the file is lost, the
// replica checks all its files again.

#include <cstdint>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::replication {

struct FailedFile {
  codec::Artifact artifact;
  std::string error;
  codec::Uuid dataset_id;  // Whose file it is.
};

struct ReplicationStatus {
  std::string primary;  // HOST:PORT replicated from.
  // "connecting", "catching up", "caught up" (not following), "following",
  // "disconnected", "refused", "stopped".
  std::string state;
  uint64_t head = 0;  // The replica's, with the commit time of that event.
  int64_t head_time_ns = 0;
  uint64_t primary_head = 0;  // As last heard from the primary.
  int64_t primary_head_time_ns = 0;
  int64_t last_contact_ns = 0;  // Wall clock of the last message from the primary.
  std::string last_error;
  int64_t last_error_ns = 0;
  bool copy_files = true;
  std::vector<std::string> file_collections;  // Empty: every dataset's file.
  uint64_t files_through = 0;
  uint64_t files_copied = 0;
  uint64_t bytes_copied = 0;
  std::vector<FailedFile> failed_files;

  uint64_t lag_events() const { return primary_head > head ? primary_head - head : 0; }
  // Commit-time distance between the primary's head and ours.
  int64_t lag_ns() const { return primary_head > head ? primary_head_time_ns - head_time_ns : 0; }
};

std::string ReplicationStatusPath(const std::string& root);

// NotFound when the replica has never written one.
Result<ReplicationStatus> ReadReplicationStatus(const std::string& root);
Status WriteReplicationStatus(const std::string& root, const ReplicationStatus& status);

std::string ReplicationStatusJson(const ReplicationStatus& status);

}  // namespace starlog::replication
