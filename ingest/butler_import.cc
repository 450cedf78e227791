#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ingest/bounded_read.h"
#include "ingest/butler_import_plan.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/butler_transfer.h"
#include "starlog/ingest/file_batch.h"

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
                                              const FileSink& sink) {
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

  // The events registering the datasets, by run and type, and each file
  // once, naming every dataset it holds; the sink places the files (here,
  // or the repository's service as its own account) and appends it all in
  // one atomic write, or places nothing.
  FileBatch batch;
  batch.mode = options.transfer;
  batch.all_or_nothing = true;
  batch.bodies = std::move(plan.head);
  std::map<std::pair<std::string, std::string>, std::vector<const internal::Planned*>> by_key;
  for (const internal::Planned& p : plan.datasets) by_key[{p.run, p.dataset_type}].push_back(&p);
  std::map<std::string, size_t> file_of_path;
  for (const auto& [key, of_key] : by_key) {
    codec::RegisterDatasets event;
    event.run = key.first;
    event.dataset_type = key.second;
    for (const internal::Planned* p : of_key) {
      if (p->path) {
        auto [it, fresh] = file_of_path.emplace(*p->path, batch.files.size());
        if (fresh) {
          batch.files.push_back(
              BatchFile{(fs::path(source.folder) / *p->path).string(), *p->path, {}});
        }
        batch.files[it->second].entries.push_back(
            BatchEntry{batch.bodies.size(), event.datasets.size()});
      }
      event.datasets.push_back(codec::DatasetEntry{p->id, p->data_id, std::nullopt});
    }
    batch.bodies.emplace_back(std::move(event));
  }
  for (auto& body : plan.tail) batch.bodies.push_back(std::move(body));
  if (batch.bodies.empty()) return report;
  if (options.progress) options.progress(0, batch.files.size());
  const size_t files = batch.files.size();
  batch.progress = options.progress;
  auto placed = sink(std::move(batch));
  if (!placed.ok()) return placed.status().WithContext("nothing was imported");
  if (options.progress) options.progress(files, files);  // Through the service: its last part.
  report.first_event = placed->first_event;
  report.last_event = placed->last_event;
  return report;
}

Result<ButlerImportReport> ImportButlerExport(engine::EventStore& store, const std::string& from,
                                              const ButlerImportOptions& options,
                                              const engine::Actor& actor) {
  return ImportButlerExport(store, from, options, LocalFileSink(store, actor));
}

}  // namespace starlog::ingest
