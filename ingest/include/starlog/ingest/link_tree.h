#pragma once

// A tree of symbolic links to the files of some datasets, at paths a
// template makes from each dataset's data ID, run and dataset type, as the
// old pipelines' SymLinkStage linked inputs into a run's directory
// (seeds/000). Every path is made before any link, so a missing key (named
// in the error) or two datasets wanting one path leave nothing half done.

#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/file_template.h"

namespace starlog::ingest {

struct LinkOptions {
  std::string to;               // The folder the tree goes under (created if needed).
  bool relative = false;        // Links by relative path rather than absolute.
  engine::ProgressFn progress = nullptr;  // (links done, links in all)
};

struct LinkReport {
  size_t created = 0;
  size_t unchanged = 0;  // Already a link to the same file.
};

// "root" is the repository's. InvalidArgument names a dataset whose data ID
// lacks a field the template needs, or that has no file; Conflict names two
// datasets that would share a path, or a path already taken by something else.
Result<LinkReport> LinkDatasets(const std::string& root,
                                const std::vector<engine::DatasetRef>& refs,
                                const FileTemplate& path_template, const LinkOptions& options);

}  // namespace starlog::ingest
