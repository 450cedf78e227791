#include "starlog/engine/fsck.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

namespace fs = std::filesystem;

std::string_view FileProblemName(FileProblem::Kind kind) {
  switch (kind) {
    case FileProblem::Kind::kMissing:
      return "missing";
    case FileProblem::Kind::kSize:
      return "size";
    case FileProblem::Kind::kChecksum:
      return "checksum";
    case FileProblem::Kind::kUnreadable:
      return "unreadable";
  }
  return "?";
}

Result<FsckReport> CheckFiles(const EventStore& store, const ProgressFn& progress) {
  FsckReport report;
  STARLOG_ASSIGN_OR_RETURN(RegistryView view, store.View());
  report.sequence = view.sequence();
  STARLOG_ASSIGN_OR_RETURN(auto artifacts, view.Artifacts());
  std::set<std::string> owned;
  for (size_t i = 0; i < artifacts.size(); ++i) {
    // Plain references: clang 14 cannot capture structured bindings.
    const codec::Uuid& id = artifacts[i].first;
    const codec::Artifact& artifact = artifacts[i].second;
    owned.insert(artifact.path);
    const auto problem = [&](FileProblem::Kind kind, std::string detail) {
      report.problems.push_back(FileProblem{kind, id, artifact, std::move(detail)});
    };
    // A recorded path passed the same rule when it was appended; checked
    // again before the file is touched, as every path from the log is.
    if (Status s = ValidateRelativePath(artifact.path); !s.ok()) {
      problem(FileProblem::Kind::kUnreadable, std::string(s.message()));
      ++report.files_checked;
      continue;
    }
    const fs::path full = fs::path(store.root()) / artifact.path;
    std::error_code ec;
    const auto size = fs::file_size(full, ec);
    if (ec) {
      if (!fs::exists(full, ec)) {
        problem(FileProblem::Kind::kMissing, "no such file");
      } else {
        problem(FileProblem::Kind::kUnreadable, ec.message());
      }
    } else if (size != artifact.size) {
      problem(FileProblem::Kind::kSize,
              std::to_string(size) + " bytes, " + std::to_string(artifact.size) + " recorded");
    } else {
      auto found = DescribeFile(store.root(), artifact.path);
      if (!found.ok()) {
        problem(FileProblem::Kind::kUnreadable, std::string(found.status().message()));
      } else if (found->checksum != artifact.checksum) {
        problem(FileProblem::Kind::kChecksum, "XXH3-128 " + found->checksum.ToHex() + ", " +
                                                  artifact.checksum.ToHex() + " recorded");
      } else {
        report.bytes_checked += size;
      }
    }
    ++report.files_checked;
    if (progress && (i % 64 == 0 || i + 1 == artifacts.size())) progress(i + 1, artifacts.size());
  }
  const fs::path root(store.root());
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(root);
    if (rel.begin() != rel.end() && *rel.begin() == kPrivateFolder) {
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

Result<std::optional<Head>> DetachMissingFiles(EventStore& store, const FsckReport& report,
                                               const std::string& actor) {
  codec::DetachArtifacts detach;
  for (const FileProblem& p : report.problems) {
    if (p.kind == FileProblem::Kind::kMissing) detach.ids.push_back(p.id);
  }
  if (detach.ids.empty()) return std::optional<Head>();
  STARLOG_ASSIGN_OR_RETURN(Head head, store.Append(std::move(detach), actor));
  return std::optional<Head>(head);
}

}  // namespace starlog::engine
