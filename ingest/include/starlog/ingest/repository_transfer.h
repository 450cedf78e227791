#pragma once

// The butler's transfer-datasets: chosen datasets of one repository added to
// another with what they need (dataset types, the dimension records their
// data IDs need, their RUNs and, for the collections asked for, chains and
// the datasets' TAGGED and CALIBRATION memberships with validity), with no
// bundle on disk. What an export would write (the same selection) is
// imported as a bundle is, under the same rules (bundle.h: every file
// checked first, all or nothing, adding twice adds nothing, a contradiction
// refused and named), its files read from the source's root and placed at
// the same paths under the destination's.

#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/ingest/transfer.h"

namespace starlog::ingest {

struct TransferOptions {
  // How the files reach the destination: copy, hardlink, symlink or
  // relsymlink. Move and direct are refused: the source's registry still
  // names its files. Default: copy.
  TransferMode mode = TransferMode::kCopy;
  // Collections (names or globs) whose definitions go too, as
  // ExportOptions::collections: chains with what they search, TAGGED and
  // CALIBRATION ones with the transferred datasets' memberships. The RUNs
  // of the datasets always go. Default: none.
  std::vector<std::string> collections;
  // Register the dataset types the destination lacks; without it such a
  // type refuses the transfer, as the butler's does. Default: false.
  bool register_dataset_types = false;
  // Insert the dimension records the destination lacks; without it each one
  // the datasets need must be there already. Default: true.
  bool transfer_dimensions = true;
  // Check everything (every file read) and count what would be added;
  // change nothing. Default: false.
  bool dry_run = false;
  // Called with the files checked and those in all. Default: none.
  engine::ProgressFn progress = nullptr;
};

// Adds "refs", as "source_view" (a view of "source") sees them, to "dest":
// the files placed and the events appended by "sink" (file_batch.h) in one
// batch. Every file is read from "source"'s root and must match the size
// and XXH3-128 "source" records, and every path must stay inside "dest"'s
// root, before anything is placed. InvalidArgument for a mode that is not
// one of the four, the same repository on both sides, a dataset type (or,
// without transfer_dimensions, a dimension record) "dest" lacks, or a path
// leaving either root; Corruption names a file that is missing or does not
// match (nothing is transferred); Conflict what "dest" holds otherwise, as
// ImportBundle. "dest" is only read; any refusal changes nothing.
Result<ImportReport> TransferDatasets(const engine::EventStore& source,
                                      const engine::RegistryView& source_view,
                                      const std::vector<engine::DatasetRef>& refs,
                                      engine::EventStore& dest, const TransferOptions& options,
                                      const FileSink& sink);
// The same, placed and appended in this process as "actor".
Result<ImportReport> TransferDatasets(const engine::EventStore& source,
                                      const engine::RegistryView& source_view,
                                      const std::vector<engine::DatasetRef>& refs,
                                      engine::EventStore& dest, const TransferOptions& options,
                                      const engine::Actor& actor);

}  // namespace starlog::ingest
