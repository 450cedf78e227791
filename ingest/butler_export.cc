#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "ingest/export_selection.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

Result<ButlerExportReport> ExportButler(const engine::EventStore& store,
                                        const engine::RegistryView& view,
                                        const std::vector<engine::DatasetRef>& refs,
                                        const std::string& to, const ButlerExportOptions& options) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return Status::InvalidArgument(to + " exists and is not empty; export into a new folder");
  }
  if (options.transfer == TransferMode::kDirect || options.transfer == TransferMode::kMove) {
    return Status::InvalidArgument(
        "export copies or links files: copy, hardlink, symlink or relsymlink");
  }
  ButlerExportReport report;
  STARLOG_ASSIGN_OR_RETURN(internal::ExportSelection selection,
                           internal::SelectForExport(view, refs, options.collections));
  ButlerExport data;
  // Datasets by type and run, and by file within them.
  std::map<std::string, std::map<std::string, std::map<std::string, ButlerFile>>> files;
  for (const engine::DatasetRef& ref : selection.datasets) {
    // A dataset without a file is a record of its own, keyed by its id.
    const std::string key = ref.artifact ? "f" + ref.artifact->path : "d" + ref.id.ToString();
    ButlerFile& f = files[ref.dataset_type][ref.run][key];
    f.ids.push_back(ref.id);
    f.data_ids.push_back(ref.data_id);
    if (ref.artifact) f.path = ref.artifact->path;
    ++report.datasets;
  }
  for (ButlerRecords& r : selection.records) {
    const engine::DimensionElement* e = view.universe().Find(r.element);
    // The butler keeps no table for a key alone (band), nor exports one: its
    // values are in the records that name them, and import makes them again.
    if (!e->join && e->fields.empty() && e->required.empty()) continue;
    report.records += r.records.size();
    data.dimensions.push_back(std::move(r));
  }
  data.collections = std::move(selection.collections);
  report.collections = data.collections.size();
  for (codec::RegisterDatasetType& type : selection.dataset_types) {
    for (auto& [run, by_file] : files[type.name]) {
      ButlerDatasets d{type.name, run, {}};
      for (auto& [key, f] : by_file) d.files.push_back(std::move(f));
      data.datasets.push_back(std::move(d));
    }
    data.dataset_types.push_back(std::move(type));
  }
  data.associations = std::move(selection.associations);
  report.associations = selection.memberships;

  // The files at their own paths under "to", as the butler's export places
  // them; a failure removes what was placed.
  fs::create_directories(to, ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  std::vector<Placed> placed;
  const auto undo = [&] {
    UndoPlaced(placed);
  };
  std::set<std::string> paths;
  for (const ButlerDatasets& d : data.datasets) {
    for (const ButlerFile& f : d.files) {
      if (f.path) paths.insert(*f.path);
    }
  }
  const size_t in_all = paths.size();
  paths.clear();
  for (const ButlerDatasets& d : data.datasets) {
    for (const ButlerFile& f : d.files) {
      if (!f.path || !paths.insert(*f.path).second) continue;
      auto where =
          PlaceFile((fs::path(store.root()) / *f.path).string(), to, *f.path, options.transfer);
      if (!where.ok()) {
        undo();
        return where.status().WithContext("export of " + *f.path);
      }
      placed.push_back(*where);
      ++report.files;
      report.bytes += where->artifact.size;
      if (options.progress) options.progress(report.files, in_all);
    }
  }
  const fs::path yaml = fs::path(to) / kButlerExportFileName;
  std::ofstream out(yaml);
  out << WriteButlerExport(data, view.universe());
  out.flush();
  if (!out) {
    undo();
    return Status::IOError("cannot write " + yaml.string());
  }
  for (const Placed& p : placed) CommitPlace(p);
  return report;
}

}  // namespace starlog::ingest
