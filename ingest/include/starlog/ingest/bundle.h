#pragma once

// Moving a chosen set of datasets between repositories with their registry
// state: a bundle is a folder holding bundle.jsonl (version 3, one entry a
// line, checksummed: ingest/bundle_lines.h; self-describing: the dataset
// types, the collections (RUN, TAGGED, CALIBRATION, CHAINED with its
// children), the dimension records the data IDs need, the datasets, each
// with its id, data ID and, if it has one, its file's path, size and
// XXH3-128, and its TAGGED and CALIBRATION memberships with their validity
// ranges) and files/<path> with the files themselves. Import checks the
// whole bundle, and every file against its checksum, before it changes
// anything, then adds what the target lacks under the datasets' own ids, in
// batches of bounded size: importing a bundle twice adds nothing, a bundle
// that contradicts the target is refused whole, and an import stopped
// between batches is completed by importing again. Bundles of versions 1
// and 2 (bundle.json, one document) are read whole and imported in one
// atomic write.

#include <functional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/ingest/transfer.h"

namespace starlog::ingest {

// 3: bundle.jsonl, one entry a line, checksummed, read and written in
// bounded memory. 2 (bundle.json, one document): collections of every type,
// memberships, datasets without files. Versions 1 (RUNs only) and 2 are
// still read.
inline constexpr int kBundleVersion = 3;

struct ExportOptions {
  // Collections (names or globs) to export with their definitions: chains
  // with the collections they search, TAGGED and CALIBRATION collections
  // with the memberships of the exported datasets. The RUNs of the datasets
  // are always exported. Default: none.
  std::vector<std::string> collections;
  // Called with the datasets written and those in all. Default: none.
  engine::ProgressFn progress = nullptr;
  // About this many bytes of datasets are held to be sorted; past it they
  // are sorted in runs written to a scratch folder in "to" (removed when the
  // export ends) and merged from there. Default: 32 MiB.
  size_t sort_memory_bytes = size_t{32} << 20;
};

struct ExportReport {
  size_t datasets = 0;
  size_t files = 0;
  uint64_t bytes = 0;
  size_t records = 0;
  size_t collections = 0;
  size_t memberships = 0;  // TAGGED and CALIBRATION.
};

// The datasets to export, handed to "fn" one at a time (as
// RegistryView::ForEachDataset hands them); the same dataset may come more
// than once (a calibration certified in several ranges). Returns what stops
// it, other than "fn" returning false.
using DatasetSource = std::function<Status(const engine::RegistryView::DatasetFn& fn)>;

// Writes the datasets of "source" (each id once; with or without a file) to
// the new folder "to", as seen by "view", with what ExportOptions asks for,
// a line at a time, in bounded memory: the datasets are sorted in runs of
// ExportOptions::sort_memory_bytes, their memberships read for each as it
// is written; what else is held is per dataset type, collection and
// dimension record. InvalidArgument if "to" exists and is not empty.
Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  const DatasetSource& source, const std::string& to,
                                  const ExportOptions& options = {});
// The same for datasets already held.
Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  std::vector<engine::DatasetRef> refs, const std::string& to,
                                  const ExportOptions& options = {});

// What an import adds ("added") and finds already there ("present"), or,
// with dry_run, would add.
struct ImportCount {
  size_t added = 0;
  size_t present = 0;
};

struct ImportReport {
  size_t datasets = 0;         // Registered now.
  size_t already_present = 0;  // Same id, same content, there before.
  size_t records_inserted = 0;
  size_t files = 0;  // Placed now.
  ImportCount dataset_types;
  ImportCount collections;  // Chains included.
  ImportCount records;
  ImportCount tagged;
  ImportCount certified;
  ImportCount chains;  // Children set.
  uint64_t first_event = 0;
  uint64_t last_event = 0;
};

struct ImportOptions {
  TransferMode mode = TransferMode::kCopy;
  // Check everything and report what would be added; change nothing.
  // Default: false.
  bool dry_run = false;
  // Called with the steps done and those in all: for a bundle.jsonl each
  // dataset twice, checked then imported; for a bundle.json the files
  // checked (checking reads every byte; placing them follows). Default:
  // none.
  engine::ProgressFn progress = nullptr;
};

// Imports the bundle in "from", the files placed and the events appended by
// "sink" (file_batch.h): a bundle.jsonl in batches, each all or nothing
// (ingest/bundle_stream_import.h says what a stop between two leaves), a
// bundle.json in one; "store" is only read. InvalidArgument names what in
// the bundle is malformed (a bundle.jsonl's line by number, a checksum that
// does not match, a truncated file); Corruption a file
// whose bytes do not match the bundle's record; Conflict what the target
// holds otherwise: a dataset type defined differently, a collection of
// another type, a chain with other children, a dataset id with other
// content or file, a dataset's data ID taken in its RUN or TAGGED
// collection by another dataset, a certification overlapping another of
// the same data ID. Any of these refusals changes nothing.
Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  const ImportOptions& options, const FileSink& sink);
// The same, placed and appended in this process as "actor".
Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const std::string& actor);

}  // namespace starlog::ingest
