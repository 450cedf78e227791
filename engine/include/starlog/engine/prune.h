#pragma once

// Removing datasets, and the files behind them, as the butler's
// prune-datasets does. The registry changes first, in one event; files are
// deleted only after that write is durable, so a crash in between leaves
// files no dataset owns (fsck lists them), never a dataset whose file is gone.

#include <string>
#include <string_view>
#include <vector>

#include "starlog/engine/event_store.h"

namespace starlog::engine {

enum class PruneMode {
  kForget,   // The datasets leave the registry; their files stay on disk.
  kUnstore,  // The files are deleted; the datasets stay, without files.
  kPurge,    // Both: the datasets leave the registry and their files are deleted.
};

struct PruneReport {
  size_t datasets = 0;       // Datasets removed (or, for kUnstore, unstored).
  size_t files_deleted = 0;  // Files removed from disk.
  // Files that could not be deleted (the registry no longer claims them).
  std::vector<std::string> file_errors;
  Head head;
  uint64_t first = 0;  // The first event the prune appended; 0 if none.
};

// Prunes datasets "ids" (each must exist) by "mode", as one event. A file is
// deleted only where its recorded path lies inside the root (a symbolic link
// placed by ingest is removed itself, never what it points to), and only
// when no dataset left in the registry records the same file (a file with
// a dataset per HDU stays until its last HDU's dataset goes). Finding those
// reads every artifact entry once.
Result<PruneReport> PruneDatasets(EventStore& store, const std::vector<codec::Uuid>& ids,
                                  PruneMode mode, const Actor& actor);

}  // namespace starlog::engine
