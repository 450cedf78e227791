#include "ingest/export_selection.h"

#include <map>
#include <set>

namespace starlog::ingest::internal {

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
// searches.
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

// The exported datasets' memberships in "c" (TAGGED or CALIBRATION).
Result<ButlerAssociations> MembershipsIn(const engine::RegistryView& view,
                                         const engine::CollectionInfo& c,
                                         const std::set<std::string>& types,
                                         const std::set<codec::Uuid>& ids, size_t* count) {
  ButlerAssociations a{c.name, c.type, {}, {}};
  std::map<std::pair<int64_t, int64_t>, std::vector<codec::Uuid>> by_range;
  for (const std::string& type : types) {
    engine::DatasetQuery q;
    q.dataset_type = type;
    q.collections = {c.name};
    q.find_first = false;
    // Streamed: a collection's members are not held beside the export's.
    STARLOG_RETURN_IF_ERROR(view.ForEachDataset(q, [&](engine::DatasetRef&& m) {
      if (ids.count(m.id) == 0) return true;
      if (c.type == codec::CollectionType::kTagged) {
        a.ids.push_back(m.id);
      } else if (m.validity) {
        by_range[{m.validity->begin, m.validity->end}].push_back(m.id);
      }
      ++*count;
      return true;
    }));
  }
  for (auto& [range, range_ids] : by_range) {
    a.validity_ranges.push_back({codec::Timespan{range.first, range.second}, range_ids});
  }
  return a;
}

}  // namespace

Status ExportRegistry::Add(const engine::DatasetRef& ref) {
  types_.insert(ref.dataset_type);
  STARLOG_RETURN_IF_ERROR(AddRecordsFor(view_, ref.data_id, &records_));
  if (collections_.count(ref.run) == 0) {
    STARLOG_ASSIGN_OR_RETURN(auto run, view_.GetCollection(ref.run));
    if (run) collections_.emplace(ref.run, *run);
  }
  return Status::OK();
}

Status ExportRegistry::Finish(const std::vector<std::string>& patterns, ExportSelection* out) {
  STARLOG_RETURN_IF_ERROR(AddCollections(view_, patterns, &collections_));
  for (const engine::DimensionElement& e : view_.universe().elements()) {
    auto found = records_.find(e.name);
    if (found == records_.end()) continue;
    ButlerRecords r{e.name, {}};
    r.records.reserve(found->second.size());
    for (auto& [key, record] : found->second) r.records.push_back(std::move(record));
    records_.erase(found);  // Held once: what was moved out is released as it goes.
    out->records.push_back(std::move(r));
  }
  for (const std::string& name : types_) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetTypeInfo info, view_.GetDatasetType(name));
    out->dataset_types.push_back(codec::RegisterDatasetType{
        info.name, info.dimensions, info.storage_class, info.is_calibration});
  }
  out->collections = SortedForImport(collections_);
  return Status::OK();
}

Result<ExportSelection> SelectForExport(const engine::RegistryView& view,
                                        std::vector<engine::DatasetRef> refs,
                                        const std::vector<std::string>& patterns) {
  ExportSelection out;
  ExportRegistry registry(view);
  std::set<codec::Uuid> ids;
  for (engine::DatasetRef& ref : refs) {
    if (!ids.insert(ref.id).second) continue;
    STARLOG_RETURN_IF_ERROR(registry.Add(ref));
    out.datasets.push_back(std::move(ref));
    // A calibration found in a CALIBRATION collection: the dataset is its
    // RUN's; the validity belongs to the membership, gathered below.
    out.datasets.back().validity.reset();
    out.datasets.back().collection = out.datasets.back().run;
  }
  refs = {};  // What is left of them, released before the rest is gathered.
  STARLOG_RETURN_IF_ERROR(registry.Finish(patterns, &out));
  for (const auto& [name, c] : registry.collections()) {
    if (c.type != codec::CollectionType::kTagged && c.type != codec::CollectionType::kCalibration) {
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(ButlerAssociations a,
                             MembershipsIn(view, c, registry.types(), ids, &out.memberships));
    if (!a.ids.empty() || !a.validity_ranges.empty()) out.associations.push_back(std::move(a));
  }
  return out;
}

}  // namespace starlog::ingest::internal
