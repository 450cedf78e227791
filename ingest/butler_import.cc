#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ingest/bounded_read.h"
#include "ingest/butler_import_plan.h"
#include "ingest/placed_append.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

struct Source {
  std::string yaml;    // The export file.
  std::string folder;  // Its folder: file paths are relative to it.
};

Result<Source> Locate(const std::string& from) {
  std::error_code ec;
  if (fs::is_directory(from, ec)) {
    return Source{(fs::path(from) / kButlerExportFileName).string(), from};
  }
  if (!fs::exists(from, ec)) return Status::NotFound("no butler export at " + from);
  std::string folder = fs::path(from).parent_path().string();
  return Source{from, folder.empty() ? "." : folder};
}

}  // namespace

Result<ButlerImportReport> ImportButlerExport(engine::EventStore& store, const std::string& from,
                                              const ButlerImportOptions& options,
                                              const engine::Actor& actor) {
  if (options.transfer == TransferMode::kDirect && !options.no_files) {
    return Status::InvalidArgument(
        "a butler export's files are outside the repository: use copy, move, hardlink, "
        "symlink or relsymlink (or --no-files)");
  }
  STARLOG_ASSIGN_OR_RETURN(Source source, Locate(from));
  STARLOG_ASSIGN_OR_RETURN(std::string text,
                           internal::ReadBoundedFile(source.yaml, kMaxButlerExportBytes));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  STARLOG_ASSIGN_OR_RETURN(ButlerExport data,
                           ParseButlerExport(text, view.universe(), options.read));
  STARLOG_ASSIGN_OR_RETURN(internal::ImportPlan plan,
                           internal::PlanButlerImport(store, view, data, source.folder, options));
  ButlerImportReport report = plan.report;
  report.dropped_fields = data.dropped_fields;
  if (options.dry_run) return report;

  // Files first, one placement per path (a file may hold several datasets),
  // then one atomic append; a refusal undoes the placements.
  std::vector<Placed> placed;
  std::map<std::string, codec::Artifact> artifacts;
  const auto undo = [&] {
    for (const Placed& p : placed) UndoPlace(p);
  };
  std::map<std::pair<std::string, std::string>, codec::RegisterDatasets> events;
  std::set<std::string> paths;
  for (const internal::Planned& p : plan.datasets) {
    if (p.path) paths.insert(*p.path);
  }
  for (const internal::Planned& p : plan.datasets) {
    std::optional<codec::Artifact> artifact;
    if (p.path) {
      auto known = artifacts.find(*p.path);
      if (known == artifacts.end()) {
        auto where = PlaceFile((fs::path(source.folder) / *p.path).string(), store.root(), *p.path,
                               options.transfer);
        if (!where.ok()) {
          undo();
          return where.status().WithContext("nothing was imported");
        }
        placed.push_back(*where);
        known = artifacts.emplace(*p.path, where->artifact).first;
        if (options.progress) options.progress(placed.size(), paths.size());
      }
      artifact = known->second;
    }
    auto& event = events[{p.run, p.dataset_type}];
    event.run = p.run;
    event.dataset_type = p.dataset_type;
    event.datasets.push_back(codec::DatasetEntry{p.id, p.data_id, artifact});
  }
  std::vector<codec::EventBody> bodies = std::move(plan.head);
  for (auto& [key, event] : events) bodies.emplace_back(std::move(event));
  for (auto& body : plan.tail) bodies.push_back(std::move(body));
  if (bodies.empty()) return report;
  STARLOG_ASSIGN_OR_RETURN(internal::AppendedRange range,
                           internal::AppendPlaced(store, std::move(bodies), actor, placed));
  report.first_event = range.first;
  report.last_event = range.last;
  return report;
}

}  // namespace starlog::ingest
