#pragma once

// Moving registries between the Gen3 butler and starlog through the butler's
// export file (butler_yaml.h): `butler export-calibs` / `Butler.export` write
// a folder with export.yaml and the files at the paths it names, and
// `butler import` reads one. These read and write such folders.

#include <map>
#include <string>
#include <vector>

#include "starlog/engine/actor.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/butler_yaml.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/ingest/transfer.h"

namespace starlog::ingest {

struct ButlerImportOptions {
  // How the export's files come into the repository. Default: copy.
  TransferMode transfer = TransferMode::kCopy;
  // Register the datasets without their files (as a path-less record is).
  // Default: false.
  bool no_files = false;
  // Work out and report what would change; change nothing. Default: false.
  bool dry_run = false;
  ButlerReadOptions read;
  // Called with the files placed and those to place. Default: none.
  engine::ProgressFn progress = nullptr;
};

struct ButlerImportReport {
  // What was (or, with dry_run, would be) added; what was there before is
  // not counted.
  size_t dataset_types = 0;
  size_t collections = 0;
  size_t chains_set = 0;
  size_t records = 0;
  size_t datasets = 0;
  size_t files = 0;
  size_t tagged = 0;
  size_t certified = 0;
  size_t already_present = 0;                    // Datasets with the same id and content.
  std::map<std::string, size_t> dropped_fields;  // ButlerReadOptions::drop_unknown_fields.
  uint64_t first_event = 0;                      // 0 if nothing was appended.
  uint64_t last_event = 0;
};

// Imports the butler export at "from": a folder holding export.yaml, or the
// YAML file itself; file paths are relative to its folder. Every name, data
// ID, path (in the export's folder, and in the repository: CheckTargetInRoot)
// and dataset id is checked before anything changes; then the files are
// placed and everything the repository lacks is appended in one atomic write
// (its dataset types, collections, records, datasets under their own ids,
// TAGGED and CALIBRATION memberships with their validity, chains). A refusal
// anywhere leaves the repository as it was and removes the files placed for
// it. What is already there is left alone, so importing twice adds nothing.
// Conflict names a dataset id the repository (or the file) holds with other
// content, or a collection of another type.
// The files and events go through "sink" (file_batch.h): this process's
// (the overload with an actor), or the repository's service's.
Result<ButlerImportReport> ImportButlerExport(engine::EventStore& store, const std::string& from,
                                              const ButlerImportOptions& options,
                                              const FileSink& sink);
Result<ButlerImportReport> ImportButlerExport(engine::EventStore& store, const std::string& from,
                                              const ButlerImportOptions& options,
                                              const engine::Actor& actor);

struct ButlerExportOptions {
  // How files come into the export's folder: copy, hardlink, symlink or
  // relsymlink. Default: copy.
  TransferMode transfer = TransferMode::kCopy;
  // Collections (names or globs) to export with their definitions: chains
  // with their children, TAGGED and CALIBRATION collections with the
  // memberships of the exported datasets. RUN collections of the datasets
  // are always exported. Default: none.
  std::vector<std::string> collections;
  // Called with the files placed and those to place. Default: none.
  engine::ProgressFn progress = nullptr;
};

struct ButlerExportReport {
  size_t datasets = 0;
  size_t files = 0;
  uint64_t bytes = 0;
  size_t records = 0;
  size_t collections = 0;
  size_t associations = 0;  // Memberships (TAGGED and CALIBRATION).
};

// Writes "refs", as "view" sees them, to the new folder "to": export.yaml in
// the butler's layout with the dimension records their data IDs need, their
// RUN collections, the collections of "options", and each file at its path
// under "to". InvalidArgument if "to" exists and is not empty.
Result<ButlerExportReport> ExportButler(const engine::EventStore& store,
                                        const engine::RegistryView& view,
                                        const std::vector<engine::DatasetRef>& refs,
                                        const std::string& to, const ButlerExportOptions& options);

}  // namespace starlog::ingest
