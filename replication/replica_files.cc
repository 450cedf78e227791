#include "starlog/replication/replica_files.h"

#include <algorithm>

#include "starlog/replication/replication_status.h"

namespace starlog::replication {

Result<FileFilter> FileFilter::Make(const engine::RegistryView& view,
                                    const std::vector<std::string>& collections) {
  FileFilter filter;
  filter.all_ = collections.empty();
  for (const std::string& c : collections) {
    auto path = view.ResolveSearchPath({c});
    if (path.status().IsNotFound()) continue;  // Not created yet.
    STARLOG_RETURN_IF_ERROR(path.status());
    filter.collections_.insert(path->begin(), path->end());
  }
  return filter;
}

Result<bool> FileFilter::Wants(const engine::RegistryView& view, const codec::Uuid& id,
                               const std::string& run) const {
  if (all_ || collections_.count(run) != 0) return true;
  STARLOG_ASSIGN_OR_RETURN(auto holders, view.CollectionsHolding(id));
  return std::any_of(holders.begin(), holders.end(),
                     [&](const std::string& c) { return collections_.count(c) != 0; });
}

Result<std::vector<std::pair<codec::Uuid, codec::Artifact>>> WantedArtifacts(
    const engine::EventStore& store) {
  std::vector<std::string> collections;
  if (store.is_replica()) {
    auto saved = ReadReplicationStatus(store.root());
    if (!saved.ok() && !saved.status().IsNotFound()) return saved.status();
    if (saved.ok()) {
      if (!saved->copy_files) return std::vector<std::pair<codec::Uuid, codec::Artifact>>();
      collections = saved->file_collections;
    }
  }
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  STARLOG_ASSIGN_OR_RETURN(auto artifacts, view.Artifacts());
  if (collections.empty()) return artifacts;
  STARLOG_ASSIGN_OR_RETURN(FileFilter filter, FileFilter::Make(view, collections));
  std::vector<std::pair<codec::Uuid, codec::Artifact>> wanted;
  for (auto& entry : artifacts) {
    STARLOG_ASSIGN_OR_RETURN(auto ref, view.GetDataset(entry.first));
    if (!ref) continue;
    STARLOG_ASSIGN_OR_RETURN(bool wants, filter.Wants(view, entry.first, ref->run));
    if (wants) wanted.push_back(std::move(entry));
  }
  return wanted;
}

Result<FilesReport> CheckWantedFiles(const engine::EventStore& store, bool contents) {
  STARLOG_ASSIGN_OR_RETURN(auto wanted, WantedArtifacts(store));
  FilesReport report;
  report.checked = wanted.size();
  for (const auto& [id, artifact] : wanted) {
    auto problem = engine::CheckRecordedFile(store.root(), id, artifact, contents);
    if (!problem) continue;
    if (problem->kind == engine::FileProblem::Kind::kMissing) {
      ++report.missing;
    } else {
      ++report.damaged;
    }
    report.problems.push_back(std::move(*problem));
  }
  return report;
}

}  // namespace starlog::replication
