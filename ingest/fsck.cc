#include "starlog/ingest/fsck.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "starlog/engine/repo_paths.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

using engine::FileProblem;

Result<FsckReport> CheckFiles(const engine::EventStore& store, const engine::ProgressFn& progress) {
  FsckReport report;
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  report.sequence = view.sequence();
  STARLOG_ASSIGN_OR_RETURN(auto artifacts, view.Artifacts());
  std::set<std::string> owned;
  for (size_t i = 0; i < artifacts.size(); ++i) {
    const auto& [id, artifact] = artifacts[i];
    owned.insert(artifact.path);
    if (auto problem = engine::CheckRecordedFile(store.root(), id, artifact, /*contents=*/true)) {
      report.problems.push_back(std::move(*problem));
    } else {
      report.bytes_checked += artifact.size;
    }
    ++report.files_checked;
    if (progress && (i % 64 == 0 || i + 1 == artifacts.size())) progress(i + 1, artifacts.size());
  }
  const fs::path root(store.root());
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(root);
    if (rel.begin() != rel.end() && *rel.begin() == engine::kPrivateFolder) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    const std::string path = rel.generic_string();
    if (owned.count(path) == 0) report.unowned.push_back(path);
  }
  if (ec) return Status::IOError("cannot list " + store.root() + ": " + ec.message());
  std::sort(report.unowned.begin(), report.unowned.end());
  return report;
}

std::optional<codec::DetachArtifacts> DetachMissing(const FsckReport& report) {
  codec::DetachArtifacts detach;
  for (const FileProblem& p : report.problems) {
    if (p.kind == FileProblem::Kind::kMissing) detach.ids.push_back(p.id);
  }
  if (detach.ids.empty()) return std::nullopt;
  return detach;
}

Result<std::optional<engine::Head>> DetachMissingFiles(engine::EventStore& store,
                                                       const FsckReport& report,
                                                       const std::string& actor) {
  std::optional<codec::DetachArtifacts> detach = DetachMissing(report);
  if (!detach) return std::optional<engine::Head>();
  STARLOG_ASSIGN_OR_RETURN(engine::Head head, store.Append(std::move(*detach), actor));
  return std::optional<engine::Head>(head);
}

}  // namespace starlog::ingest
