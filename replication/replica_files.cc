#include "starlog/replication/replica_files.h"

#include <algorithm>
#include <filesystem>

#include "starlog/replication/replication_status.h"

namespace starlog::replication {

namespace fs = std::filesystem;

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
  const auto count = [&report](const engine::FileProblem& p) {
    if (p.kind == engine::FileProblem::Kind::kMissing) {
      ++report.missing;
    } else {
      ++report.damaged;
    }
    report.problems.push_back(p);
  };
  if (contents) {
    std::set<codec::Uuid> ids;
    for (const auto& entry : wanted) ids.insert(entry.first);
    STARLOG_ASSIGN_OR_RETURN(engine::FsckReport fsck, engine::CheckFiles(store));
    for (const engine::FileProblem& p : fsck.problems) {
      if (ids.count(p.id) != 0) count(p);
    }
    return report;
  }
  for (const auto& [id, artifact] : wanted) {
    std::error_code ec;
    const fs::path full = fs::path(store.root()) / artifact.path;
    const auto size = fs::file_size(full, ec);
    if (ec && !fs::exists(full)) {
      count({engine::FileProblem::Kind::kMissing, id, artifact, "no such file"});
    } else if (ec) {
      count({engine::FileProblem::Kind::kUnreadable, id, artifact, ec.message()});
    } else if (size != artifact.size) {
      count({engine::FileProblem::Kind::kSize, id, artifact,
             std::to_string(size) + " bytes, " + std::to_string(artifact.size) + " recorded"});
    }
  }
  return report;
}

}  // namespace starlog::replication
