#pragma once

// The registry checked against the file system, as a data organiser's sanity
// check does (seeds/003): every dataset's file present, of its recorded size
// and XXH3-128 (CheckRecordedFile, artifact_files.h); and every file under the
// root that no dataset owns (outside .starlog/) listed, leftovers of
// interrupted copies among them.

#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/ingest.h"

namespace starlog::ingest {

struct FsckReport {
  uint64_t sequence = 0;  // The registry as of this event was checked.
  size_t files_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<engine::FileProblem> problems;
  std::vector<std::string> unowned;  // Relative paths, sorted.
  bool clean() const { return problems.empty() && unowned.empty(); }
};

// Reads every file (so it takes as long as reading the repository).
// "progress" is called with files checked and files in all.
Result<FsckReport> CheckFiles(const engine::EventStore& store,
                              const engine::ProgressFn& progress = nullptr);

// The event of the one safe repair (below), nullopt when there is nothing
// to do: what a writer elsewhere (the repository's service) is sent.
std::optional<codec::DetachArtifacts> DetachMissing(const FsckReport& report);

// The only repair that is always safe: the registry stops claiming files that
// are gone. Detaches the artifacts of the datasets whose files are missing,
// as one event. Returns its head, or nullopt when there is nothing to do.
// Wrong sizes or checksums and unowned files are left for a person.
Result<std::optional<engine::Head>> DetachMissingFiles(engine::EventStore& store,
                                                       const FsckReport& report,
                                                       const std::string& actor);

// The other way round: ingests the files "report" found that no dataset
// owns, where they are (transfer direct, whatever "options" says), by the
// translators of "options", each batch through "sink" (LocalFileSink, or
// the service's). Files no translator recognises are skipped as ingest
// skips them (moved to options.misc_dir when it is set); leftovers of
// interrupted copies (engine::IsPartialCopy) are skipped, never ingested nor
// moved. The files that
// were ingested leave report->unowned, so that what is left is what is
// still unowned.
Result<IngestReport> IngestUnowned(engine::EventStore& store, FsckReport* report,
                                   IngestOptions options, const FileSink& sink);

}  // namespace starlog::ingest
