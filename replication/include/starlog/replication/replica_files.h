#pragma once

// Which dataset files a copy of a repository should hold, and whether it
// still holds them intact. A primary should hold every dataset's file; a
// replica those its replication copies (its status file: copy_files and
// file_collections, replication_status.h). Files can be lost or damaged
// after they arrived; `starlog status` counts them by a stat per file,
// `starlog verify --files` by size and XXH3-128, and every `starlog
// replicate` connection fetches again those a stat finds missing or cut
// short (all damaged ones, reading every file, with --recheck-contents).

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/result.h"

namespace starlog::replication {

// The datasets whose files are wanted: those in the given collections (names
// or globs; chains expand; a name not created yet matches nothing), or every
// dataset when none are given. Not thread-safe; one per view.
class FileFilter {
 public:
  static Result<FileFilter> Make(const engine::RegistryView& view,
                                 const std::vector<std::string>& collections);

  // Whether dataset "id" (of RUN "run") is wanted.
  Result<bool> Wants(const engine::RegistryView& view, const codec::Uuid& id,
                     const std::string& run) const;

 private:
  bool all_ = true;
  std::set<std::string> collections_;
};

// The dataset files "store" should hold (see above), as of its head.
Result<std::vector<std::pair<codec::Uuid, codec::Artifact>>> WantedArtifacts(
    const engine::EventStore& store);

struct FilesReport {
  size_t checked = 0;  // Files that should be there.
  size_t missing = 0;
  size_t damaged = 0;  // Wrong size, wrong checksum (if read), or unreadable.
  std::vector<engine::FileProblem> problems;
  bool intact() const { return problems.empty(); }
};

// Checks the files "store" should hold (CheckRecordedFile, artifact_files.h).
// With "contents", by size and XXH3-128, reading every file; without, by
// presence and size alone, one stat per file.
Result<FilesReport> CheckWantedFiles(const engine::EventStore& store, bool contents);

}  // namespace starlog::replication
