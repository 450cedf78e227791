#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "starlog/engine/registry_view.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

using RecordsByElement = std::map<std::string, std::map<std::string, codec::FieldMap>>;

// The records a data ID needs: each of its keys' records, and theirs in
// turn (what they require and imply), as the butler's export saves them.
Status AddRecordsFor(const engine::RegistryView& view, const codec::FieldMap& data_id,
                     RecordsByElement* out) {
  std::vector<std::pair<std::string, codec::FieldMap>> todo;
  for (const auto& [key, value] : data_id) todo.emplace_back(key, data_id);
  while (!todo.empty()) {
    auto [element, ids] = std::move(todo.back());
    todo.pop_back();
    STARLOG_ASSIGN_OR_RETURN(auto record, view.GetDimensionRecord(element, ids));
    if (!record) continue;
    if (!(*out)[element].emplace(engine::EncodeDataId(*record), *record).second) continue;
    const engine::DimensionElement* e = view.universe().Find(element);
    for (const std::string& next : e->required) todo.emplace_back(next, *record);
    for (const std::string& next : e->implies) {
      if (record->count(next) != 0) todo.emplace_back(next, *record);
    }
  }
  return Status::OK();
}

// Collections named by "patterns", with every collection a chain among them
// searches, children before their chains (the butler's sorted order).
Status AddCollections(const engine::RegistryView& view, const std::vector<std::string>& patterns,
                      std::map<std::string, engine::CollectionInfo>* out) {
  if (patterns.empty()) return Status::OK();
  STARLOG_ASSIGN_OR_RETURN(auto found, view.QueryCollections(patterns));
  std::vector<engine::CollectionInfo> todo(found.begin(), found.end());
  while (!todo.empty()) {
    engine::CollectionInfo c = std::move(todo.back());
    todo.pop_back();
    if (out->count(c.name) != 0) continue;
    for (const std::string& child : c.children) {
      STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(child));
      if (info) todo.push_back(*info);
    }
    out->emplace(c.name, std::move(c));
  }
  return Status::OK();
}

std::vector<ButlerCollection> SortedForImport(
    const std::map<std::string, engine::CollectionInfo>& collections) {
  std::vector<ButlerCollection> out;
  std::map<std::string, std::vector<std::string>> chains;
  for (const auto& [name, c] : collections) {
    if (c.type == codec::CollectionType::kChained) {
      chains[name] = c.children;
    } else {
      out.push_back({name, c.type, c.doc.empty() ? std::nullopt : std::optional(c.doc), {}});
    }
  }
  // A chain after the chains it lists; chains are never cyclic.
  while (!chains.empty()) {
    std::vector<std::string> ready;
    for (const auto& [name, children] : chains) {
      bool blocked = false;
      for (const std::string& child : children)
        blocked |= chains.count(child) != 0 && child != name;
      if (!blocked) ready.push_back(name);
    }
    if (ready.empty()) ready.push_back(chains.begin()->first);
    for (const std::string& name : ready) {
      const engine::CollectionInfo& c = collections.at(name);
      out.push_back(
          {name, c.type, c.doc.empty() ? std::nullopt : std::optional(c.doc), c.children});
      chains.erase(name);
    }
  }
  return out;
}

}  // namespace

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
  ButlerExport data;
  RecordsByElement records;
  std::map<std::string, engine::CollectionInfo> collections;
  // Datasets by type and run, and by file within them, each id once.
  std::map<std::string, std::map<std::string, std::map<std::string, ButlerFile>>> files;
  std::set<codec::Uuid> ids;
  std::set<std::string> types;
  for (const engine::DatasetRef& ref : refs) {
    if (!ids.insert(ref.id).second) continue;
    types.insert(ref.dataset_type);
    STARLOG_RETURN_IF_ERROR(AddRecordsFor(view, ref.data_id, &records));
    if (collections.count(ref.run) == 0) {
      STARLOG_ASSIGN_OR_RETURN(auto run, view.GetCollection(ref.run));
      if (run) collections.emplace(ref.run, *run);
    }
    // A dataset without a file is a record of its own, keyed by its id.
    const std::string key = ref.artifact ? "f" + ref.artifact->path : "d" + ref.id.ToString();
    ButlerFile& f = files[ref.dataset_type][ref.run][key];
    f.ids.push_back(ref.id);
    f.data_ids.push_back(ref.data_id);
    if (ref.artifact) f.path = ref.artifact->path;
    ++report.datasets;
  }
  STARLOG_RETURN_IF_ERROR(AddCollections(view, options.collections, &collections));

  for (const engine::DimensionElement& e : view.universe().elements()) {
    auto found = records.find(e.name);
    if (found == records.end()) continue;
    // The butler keeps no table for a key alone (band), nor exports one: its
    // values are in the records that name them, and import makes them again.
    if (!e.join && e.fields.empty() && e.required.empty()) continue;
    ButlerRecords r{e.name, {}};
    for (const auto& [key, record] : found->second) r.records.push_back(record);
    report.records += r.records.size();
    data.dimensions.push_back(std::move(r));
  }
  data.collections = SortedForImport(collections);
  report.collections = data.collections.size();
  for (const std::string& name : types) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetTypeInfo info, view.GetDatasetType(name));
    data.dataset_types.push_back(codec::RegisterDatasetType{
        info.name, info.dimensions, info.storage_class, info.is_calibration});
    for (auto& [run, by_file] : files[name]) {
      ButlerDatasets d{name, run, {}};
      for (auto& [key, f] : by_file) d.files.push_back(std::move(f));
      data.datasets.push_back(std::move(d));
    }
  }
  // Memberships of the exported datasets in the exported TAGGED and
  // CALIBRATION collections; one validity range entry per distinct range.
  for (const auto& [name, c] : collections) {
    if (c.type != codec::CollectionType::kTagged && c.type != codec::CollectionType::kCalibration) {
      continue;
    }
    ButlerAssociations a{name, c.type, {}, {}};
    std::map<std::pair<int64_t, int64_t>, std::vector<codec::Uuid>> by_range;
    for (const std::string& type : types) {
      engine::DatasetQuery q;
      q.dataset_type = type;
      q.collections = {name};
      q.find_first = false;
      STARLOG_ASSIGN_OR_RETURN(auto members, view.QueryDatasets(q));
      for (const engine::DatasetRef& m : members) {
        if (ids.count(m.id) == 0) continue;
        if (c.type == codec::CollectionType::kTagged) {
          a.ids.push_back(m.id);
        } else if (m.validity) {
          by_range[{m.validity->begin, m.validity->end}].push_back(m.id);
        }
        ++report.associations;
      }
    }
    for (auto& [range, range_ids] : by_range) {
      a.validity_ranges.push_back({codec::Timespan{range.first, range.second}, range_ids});
    }
    if (!a.ids.empty() || !a.validity_ranges.empty()) data.associations.push_back(std::move(a));
  }

  // The files at their own paths under "to", as the butler's export places
  // them; a failure removes what was placed.
  fs::create_directories(to, ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  std::vector<Placed> placed;
  const auto undo = [&] {
    for (const Placed& p : placed) UndoPlace(p);
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
