#pragma once

// The registry checked against the file system, as a data organiser's sanity
// check does (seeds/003): every dataset's file present, of its recorded size
// and XXH3-128; and every file under the root that no dataset owns (outside
// .starlog/) listed, leftovers of interrupted copies among them.

#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"

namespace starlog::engine {

struct FileProblem {
  enum class Kind { kMissing, kSize, kChecksum, kUnreadable };
  Kind kind = Kind::kMissing;
  codec::Uuid id;
  codec::Artifact artifact;  // As recorded.
  std::string detail;
};

std::string_view FileProblemName(FileProblem::Kind kind);

struct FsckReport {
  uint64_t sequence = 0;  // The registry as of this event was checked.
  size_t files_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<FileProblem> problems;
  std::vector<std::string> unowned;  // Relative paths, sorted.
  bool clean() const { return problems.empty() && unowned.empty(); }
};

// Reads every file (so it takes as long as reading the repository).
// "progress" is called with files checked and files in all.
Result<FsckReport> CheckFiles(const EventStore& store, const ProgressFn& progress = nullptr);

// The only repair that is always safe: the registry stops claiming files that
// are gone. Detaches the artifacts of the datasets whose files are missing,
// as one event. Returns its head, or nullopt when there is nothing to do.
// Wrong sizes or checksums and unowned files are left for a person.
Result<std::optional<Head>> DetachMissingFiles(EventStore& store, const FsckReport& report,
                                               const std::string& actor);

}  // namespace starlog::engine
