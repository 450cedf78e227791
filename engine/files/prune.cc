#include "starlog/engine/prune.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

Result<PruneReport> PruneDatasets(EventStore& store, const std::vector<codec::Uuid>& ids,
                                  PruneMode mode, const Actor& actor) {
  PruneReport report;
  std::vector<std::string> files;
  uint64_t before = 0;  // The head the plan read, under the writer's lock.
  size_t unstored = 0;
  STARLOG_ASSIGN_OR_RETURN(
      report.head, store.AppendPlanned(
                       [&](const RegistryView& view) -> Result<std::vector<codec::EventBody>> {
                         before = view.sequence();
                         files.clear();
                         std::vector<codec::Uuid> with_files;
                         for (const codec::Uuid& id : ids) {
                           STARLOG_ASSIGN_OR_RETURN(auto ref, view.GetDataset(id));
                           if (!ref) return Status::NotFound("no dataset " + id.ToString());
                           if (ref->artifact) {
                             files.push_back(ref->artifact->path);
                             with_files.push_back(id);
                           }
                         }
                         unstored = with_files.size();
                         // A file is deleted only when no dataset left keeps it:
                         // the HDUs of one DECam raw are many datasets of one file.
                         if (mode != PruneMode::kForget && !files.empty()) {
                           const std::set<codec::Uuid> pruned(ids.begin(), ids.end());
                           STARLOG_ASSIGN_OR_RETURN(auto all, view.Artifacts());
                           std::set<std::string> kept;
                           for (const auto& [id, artifact] : all) {
                             if (pruned.count(id) == 0) kept.insert(artifact.path);
                           }
                           std::set<std::string> unique(files.begin(), files.end());
                           files.clear();
                           for (const std::string& f : unique) {
                             if (kept.count(f) == 0) files.push_back(f);
                           }
                         }
                         std::vector<codec::EventBody> events;
                         if (mode == PruneMode::kUnstore) {
                           if (!with_files.empty())
                             events.emplace_back(codec::DetachArtifacts{with_files});
                         } else if (!ids.empty()) {
                           events.emplace_back(codec::RemoveDatasets{ids});
                         }
                         return events;
                       },
                       actor));
  if (report.head.sequence > before) report.first = before + 1;
  report.datasets = mode == PruneMode::kUnstore ? unstored : ids.size();
  if (mode == PruneMode::kForget) return report;
  // The registry no longer claims these files; a failure to delete one
  // leaves an unowned file, which is reported, not an error of the prune.
  STARLOG_RETURN_IF_ERROR(store.Sync());
  for (const std::string& path : files) {
    if (Status inside = CheckTargetInRoot(store.root(), path); !inside.ok()) {
      report.file_errors.push_back(path + ": " + std::string(inside.message()));
      continue;
    }
    const std::string full = store.root() + "/" + path;
    if (::unlink(full.c_str()) != 0 && errno != ENOENT) {
      report.file_errors.push_back(path + ": " + std::strerror(errno));
      continue;
    }
    ++report.files_deleted;
  }
  return report;
}

}  // namespace starlog::engine
