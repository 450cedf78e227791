#include "starlog/ingest/fsck.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "starlog/engine/repo_paths.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

using engine::FileProblem;

namespace {

// The files under "root" (outside .starlog/) whose paths "owned" lacks, sorted.
Result<std::vector<std::string>> ListUnowned(const std::string& root_path,
                                             const std::set<std::string>& owned) {
  std::vector<std::string> unowned;
  const fs::path root(root_path);
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
    if (owned.count(path) == 0) unowned.push_back(path);
  }
  if (ec) return Status::IOError("cannot list " + root_path + ": " + ec.message());
  std::sort(unowned.begin(), unowned.end());
  return unowned;
}

}  // namespace

Result<FsckReport> CheckFiles(const engine::EventStore& store, const engine::ProgressFn& progress) {
  FsckReport report;
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  report.sequence = view.sequence();
  STARLOG_ASSIGN_OR_RETURN(auto artifacts, view.Artifacts());
  std::set<std::string> owned;
  // A file shared by several datasets (one per HDU) is read once for each
  // record of it (path, size, checksum): they all agree unless damaged.
  std::map<std::tuple<std::string, uint64_t, std::string>, std::optional<FileProblem>> checked;
  for (size_t i = 0; i < artifacts.size(); ++i) {
    const auto& [id, artifact] = artifacts[i];
    const bool first_of_file = owned.insert(artifact.path).second;
    const auto key = std::make_tuple(artifact.path, artifact.size, artifact.checksum.ToHex());
    auto found = checked.find(key);
    if (found == checked.end()) {
      auto problem = engine::CheckRecordedFile(store.root(), id, artifact, /*contents=*/true);
      if (!problem && first_of_file) report.bytes_checked += artifact.size;
      found = checked.emplace(key, std::move(problem)).first;
    }
    if (first_of_file) ++report.files_checked;
    if (found->second) {
      FileProblem problem = *found->second;
      problem.id = id;
      problem.artifact = artifact;
      report.problems.push_back(std::move(problem));
    }
    if (progress && (i % 64 == 0 || i + 1 == artifacts.size())) progress(i + 1, artifacts.size());
  }
  STARLOG_ASSIGN_OR_RETURN(report.unowned, ListUnowned(store.root(), owned));
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

Result<IngestReport> IngestUnowned(engine::EventStore& store, FsckReport* report,
                                   IngestOptions options, const FileSink& sink) {
  options.transfer = TransferMode::kDirect;
  std::vector<std::string> files;
  std::vector<SkippedFile> leftovers;
  files.reserve(report->unowned.size());
  for (const std::string& relative : report->unowned) {
    // A truncated copy may still hold a whole header: ingesting it would
    // register a dataset whose file is cut short.
    if (engine::IsPartialCopy(relative)) {
      leftovers.push_back({store.root() + "/" + relative,
                           "a leftover of an interrupted copy, never a dataset's file"});
      continue;
    }
    files.push_back(store.root() + "/" + relative);
  }
  IngestReport ingested;
  if (!files.empty()) {
    STARLOG_ASSIGN_OR_RETURN(ingested, Ingest(store, files, options, sink));
  }
  ingested.files += leftovers.size();
  ingested.skipped.insert(ingested.skipped.begin(), leftovers.begin(), leftovers.end());
  // What is left unowned, read again: files moved to --misc under the root
  // are still no dataset's.
  STARLOG_RETURN_IF_ERROR(store.Refresh().status());
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  STARLOG_ASSIGN_OR_RETURN(auto artifacts, view.Artifacts());
  std::set<std::string> owned;
  for (const auto& [id, artifact] : artifacts) owned.insert(artifact.path);
  STARLOG_ASSIGN_OR_RETURN(report->unowned, ListUnowned(store.root(), owned));
  return ingested;
}

}  // namespace starlog::ingest
