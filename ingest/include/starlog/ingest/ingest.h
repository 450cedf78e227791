#pragma once

// Ingest: FITS files in, datasets out. Each file's header is read (cfitsio),
// the first translator whose match rule fits turns it into a data ID and
// dimension records, the records the registry lacks are inserted, the file
// is placed by its transfer mode at its template's path, and the datasets
// are registered in batched events with deterministic ids (UUID v5 of type,
// data ID and run, as the butler's DATAID_TYPE_RUN), so ingesting a file
// twice never makes a duplicate. A file that cannot be read, matches no
// translator or lacks a keyword is skipped with the reason; the rest go on.
// The matching translators are tried in order; the first that translates a
// file wins. A file with a detector per HDU (a per_hdu translator) makes a
// dataset per HDU, all recording the one file as their artifact.
//
// A failure to register a batch undoes that batch's file placements, so no
// dataset is ever without its file; every copy is written under a temporary
// name and renamed, so no half-written file is left (transfer.h).

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/ingest/file_template.h"
#include "starlog/ingest/transfer.h"
#include "starlog/ingest/translator.h"

namespace starlog::ingest {

struct IngestOptions {
  std::string run;  // A RUN collection; created if it does not exist.
  TransferMode transfer = TransferMode::kCopy;
  std::vector<Translator> translators;
  std::string dataset_type;  // Overrides the translator's, when set.
  // Templates by dataset type; each is checked to give every dataset of its
  // type a path of its own. Others use kDefaultFileTemplate.
  std::map<std::string, FileTemplate> templates;
  std::string actor;
  size_t batch_size = 500;  // Files per registration event (and FileBatch).
  // A file describing an existing dimension record (an exposure's filter,
  // day, time, target, ...) differently replaces it, as the butler's
  // update_records; otherwise the file is skipped as a conflict naming both
  // files and the field. Replacing needs an admin (the access policy).
  bool update_records = false;
  // Folders of per-observation correction files ("<instrument>-<obs_id>.yaml",
  // "KEY: value" lines), searched in order: a file whose translation gives an
  // obs_id with a correction file is translated again with the header so
  // corrected (header_corrections.h in the source).
  std::vector<std::string> corrections;
  // When set, a file no translator recognises (not FITS, or matching no
  // translator) is moved into this folder, under its own name, never over
  // another file; it is still reported as skipped, saying where it went.
  std::string misc_dir;
  engine::ProgressFn progress;  // (files done, files in all)
};

struct IngestReport {
  size_t files = 0;            // Files considered.
  size_t ingested = 0;         // Files registered now,
  size_t datasets = 0;         // and their datasets (more than files: one per HDU).
  size_t already_present = 0;  // Registered before, with this very file.
  size_t records_inserted = 0;
  std::vector<SkippedFile> skipped;
  uint64_t first_event = 0;  // Events appended (0 if none).
  uint64_t last_event = 0;
};

// Files, and every regular file under each folder, sorted, in one list. A
// folder named ".starlog" (a registry's own, as when the repository root is
// given) is never walked into.
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& files_or_dirs);

// Returns an error only for what stops the whole ingest (the run cannot be
// made, a registration event is refused); skipped files are in the report.
// Places and registers in this process, as options.actor.
Result<IngestReport> Ingest(engine::EventStore& store, const std::vector<std::string>& files,
                            const IngestOptions& options);
// The same, each batch placed and registered by "sink" (file_batch.h): the
// repository's service, say, with "store" a follower of it (each batch is
// read after Refresh(), so it sees the ones before).
Result<IngestReport> Ingest(engine::EventStore& store, const std::vector<std::string>& files,
                            const IngestOptions& options, const FileSink& sink);

}  // namespace starlog::ingest
