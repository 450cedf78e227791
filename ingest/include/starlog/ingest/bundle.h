#pragma once

// Moving a chosen set of datasets between repositories: a bundle is a folder
// holding bundle.json (self-describing: the dataset types, RUN collections,
// dimension records and datasets, each with its id, data ID and file's size
// and XXH3-128) and files/<path> with the files themselves. Import checks
// every file against its checksum before it changes anything, then inserts
// what the target lacks and registers the datasets under their own ids, so
// importing a bundle twice adds nothing.

#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/ingest/transfer.h"

namespace starlog::ingest {

inline constexpr int kBundleVersion = 1;

struct ExportReport {
  size_t datasets = 0;
  size_t files = 0;
  uint64_t bytes = 0;
  size_t records = 0;
};

// Writes "refs" (all with files) to the new folder "to", as seen by "view".
// InvalidArgument if "to" exists and is not empty, or a dataset has no file.
// "progress" is called with the datasets written and those in all.
Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  const std::vector<engine::DatasetRef>& refs,
                                  const std::string& to,
                                  const engine::ProgressFn& progress = nullptr);

struct ImportReport {
  size_t datasets = 0;         // Registered now.
  size_t already_present = 0;  // Same id, same file, there before.
  size_t records_inserted = 0;
  uint64_t first_event = 0;
  uint64_t last_event = 0;
};

// Imports the bundle in "from". Corruption names a file whose bytes do not
// match the bundle's record (then nothing is changed); Conflict a dataset id
// the target holds with another file.
Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const std::string& actor);
// The same, the files placed and the datasets registered by "sink"
// (file_batch.h) in one batch, all or nothing; "store" is only read.
// "progress" is called with the files checked and those in all (checking
// reads every byte; placing them follows).
Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const FileSink& sink,
                                  const engine::ProgressFn& progress = nullptr);

}  // namespace starlog::ingest
