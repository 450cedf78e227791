#include "ingest/butler_import_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "starlog/codec/text.h"
#include "starlog/engine/names.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::ingest::internal {

namespace {

bool SameContent(const Planned& a, const Planned& b) {
  return a.dataset_type == b.dataset_type && a.run == b.run && a.data_id == b.data_id &&
         a.path == b.path;
}

// The butler lists a data ID's implied values with the required ones in
// older files (a flat's band): keep the required keys, drop the implied.
Result<codec::FieldMap> RequiredPart(const engine::Universe& universe,
                                     const std::vector<std::string>& keys,
                                     const codec::FieldMap& data_id, const std::string& where) {
  codec::FieldMap out;
  for (const auto& [k, v] : data_id) {
    if (std::binary_search(keys.begin(), keys.end(), k)) {
      out.emplace(k, v);
      continue;
    }
    bool implied = false;
    for (const std::string& key : keys) {
      const engine::DimensionElement* e = universe.Find(key);
      if (e != nullptr && std::find(e->implies.begin(), e->implies.end(), k) != e->implies.end()) {
        implied = true;
      }
    }
    if (!implied) {
      return Status::InvalidArgument(where + ": data ID key '" + k + "' is not a dimension of it");
    }
  }
  STARLOG_RETURN_IF_ERROR(universe.ValidateDataId(keys, out).WithContext(where));
  return out;
}

class Importer {
 public:
  Importer(const engine::EventStore& store, const engine::RegistryView& view,
           const ButlerExport& data, const std::string& folder, const ButlerImportOptions& options)
      : store_(store), view_(view), data_(data), folder_(folder), options_(options) {}

  Result<ImportPlan> Build();

 private:
  Status CheckNames();
  Status Types();
  Status Collections();
  Status Records();
  Status Datasets();
  Status Associations();
  Status Chains();
  // The dataset type of a dataset id: from the file, else the repository.
  Result<std::string> TypeOf(const codec::Uuid& id, const std::string& where);

  const engine::EventStore& store_;
  const engine::RegistryView& view_;
  const ButlerExport& data_;
  const std::string& folder_;
  const ButlerImportOptions& options_;
  ImportPlan plan_;
  std::map<std::string, codec::RegisterDatasetType> types_;  // The file's, by name.
  std::map<codec::Uuid, Planned> by_id_;                     // The file's datasets.
};

Status Importer::CheckNames() {
  for (const codec::RegisterDatasetType& t : data_.dataset_types) {
    STARLOG_RETURN_IF_ERROR(engine::ValidateDatasetTypeName(t.name).WithContext("butler export"));
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateText("storage class", t.storage_class, 256).WithContext(t.name));
  }
  for (const ButlerCollection& c : data_.collections) {
    STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(c.name).WithContext("butler export"));
    for (const std::string& child : c.children) {
      STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(child).WithContext(c.name));
    }
  }
  for (const ButlerDatasets& d : data_.datasets) {
    STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(d.run).WithContext("butler export"));
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateDatasetTypeName(d.dataset_type).WithContext("butler export"));
  }
  for (const ButlerAssociations& a : data_.associations) {
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateCollectionName(a.collection).WithContext("butler export"));
  }
  return Status::OK();
}

Status Importer::Types() {
  for (codec::RegisterDatasetType t : data_.dataset_types) {
    // The butler lists implied dimensions too (a flat's band); starlog's
    // definition names the others, which imply them.
    auto normal = view_.universe().NormalizeDimensions(t.dimensions);
    if (!normal.ok()) {
      return normal.status().WithContext("butler export: dataset type '" + t.name + "'");
    }
    t.dimensions = std::move(*normal);
    auto [it, fresh] = types_.emplace(t.name, t);
    if (!fresh) {
      if (!(it->second == t)) {
        return Status::Conflict("butler export: dataset type '" + t.name +
                                "' is defined twice, differently");
      }
      continue;
    }
    auto there = view_.GetDatasetType(t.name);
    if (there.ok()) {
      STARLOG_ASSIGN_OR_RETURN(auto there_form,
                               view_.universe().NormalizeDimensions(there->dimensions));
      if (there_form != t.dimensions || there->storage_class != t.storage_class ||
          there->is_calibration != t.is_calibration) {
        return Status::Conflict("dataset type '" + t.name +
                                "' is in the repository with another definition");
      }
      continue;
    }
    plan_.head.emplace_back(t);
    ++plan_.report.dataset_types;
  }
  return Status::OK();
}

Status Importer::Collections() {
  std::set<std::string> seen;
  for (const ButlerCollection& c : data_.collections) {
    if (!seen.insert(c.name).second) continue;
    STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetCollection(c.name));
    if (there) {
      if (there->type != c.type) {
        return Status::Conflict("collection '" + c.name + "' is " +
                                std::string(codec::CollectionTypeName(there->type)) +
                                " in the repository and " +
                                std::string(codec::CollectionTypeName(c.type)) + " in the export");
      }
      continue;
    }
    plan_.head.emplace_back(codec::CreateCollection{c.name, c.type, c.doc.value_or("")});
    ++plan_.report.collections;
  }
  // A dataset's RUN need not be listed (the butler's own files list them).
  for (const ButlerDatasets& d : data_.datasets) {
    if (!seen.insert(d.run).second) continue;
    STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetCollection(d.run));
    if (there && there->type != codec::CollectionType::kRun) {
      return Status::Conflict("collection '" + d.run + "' is not a RUN");
    }
    if (there) continue;
    plan_.head.emplace_back(codec::CreateCollection{d.run, codec::CollectionType::kRun, ""});
    ++plan_.report.collections;
  }
  return Status::OK();
}

// The butler keeps no table for an element that is a key alone (band):
// its values appear only in the records and data IDs that name them. starlog
// keeps a record for every value, so those are made from the names.
std::map<std::string, std::vector<codec::FieldMap>> KeyOnlyRecords(const engine::Universe& universe,
                                                                   const ButlerExport& data) {
  std::map<std::string, std::vector<codec::FieldMap>> out;
  const auto add = [&](const codec::FieldMap& values) {
    for (const auto& [key, value] : values) {
      const engine::DimensionElement* e = universe.Find(key);
      if (e != nullptr && !e->join && e->fields.empty() && e->required.empty()) {
        out[key].push_back(codec::FieldMap{{key, value}});
      }
    }
  };
  for (const ButlerRecords& r : data.dimensions) {
    for (const codec::FieldMap& record : r.records) add(record);
  }
  for (const ButlerDatasets& d : data.datasets) {
    for (const ButlerFile& f : d.files) {
      for (const codec::FieldMap& data_id : f.data_ids) add(data_id);
    }
  }
  return out;
}

Status Importer::Records() {
  auto key_only = KeyOnlyRecords(view_.universe(), data_);
  // Records as the universe orders them: what one needs comes first.
  for (const engine::DimensionElement& e : view_.universe().elements()) {
    codec::InsertDimensionRecords insert{e.name, {}, false};
    std::set<std::string> seen;
    std::vector<const codec::FieldMap*> candidates;
    for (const ButlerRecords& r : data_.dimensions) {
      if (r.element != e.name) continue;
      for (const codec::FieldMap& record : r.records) candidates.push_back(&record);
    }
    for (const codec::FieldMap& record : key_only[e.name]) candidates.push_back(&record);
    for (const codec::FieldMap* record : candidates) {
      if (!seen.insert(engine::EncodeDataId(*record)).second) continue;
      // As the butler's skip_existing: the repository's record stays.
      STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetDimensionRecord(e.name, *record));
      if (there) continue;
      insert.records.push_back(*record);
    }
    if (insert.records.empty()) continue;
    plan_.report.records += insert.records.size();
    plan_.head.emplace_back(std::move(insert));
  }
  return Status::OK();
}

Status Importer::Datasets() {
  for (const ButlerDatasets& d : data_.datasets) {
    std::vector<std::string> dims;
    if (auto t = types_.find(d.dataset_type); t != types_.end()) {
      dims = t->second.dimensions;
    } else {
      auto there = view_.GetDatasetType(d.dataset_type);
      if (!there.ok()) {
        return Status::InvalidArgument("butler export: dataset type '" + d.dataset_type +
                                       "' is neither in the export nor in the repository");
      }
      dims = there->dimensions;
    }
    STARLOG_ASSIGN_OR_RETURN(std::vector<std::string> keys, view_.universe().RequiredKeys(dims));
    for (const ButlerFile& f : d.files) {
      std::optional<std::string> path = options_.no_files ? std::nullopt : f.path;
      if (path) {
        const std::string where = "butler export file " + codec::Printable(*path);
        STARLOG_RETURN_IF_ERROR(engine::CheckTargetInRoot(store_.root(), *path).WithContext(where));
        auto found = engine::ResolveFileInRoot(folder_, *path);
        if (!found.ok()) {
          return found.status().WithContext(where + " (in " + folder_ +
                                            "; --no-files registers the datasets without files)");
        }
      }
      for (size_t i = 0; i < f.ids.size(); ++i) {
        const std::string where = "butler export dataset " + f.ids[i].ToString();
        Planned p{f.ids[i], d.dataset_type, d.run, {}, path};
        STARLOG_ASSIGN_OR_RETURN(p.data_id,
                                 RequiredPart(view_.universe(), keys, f.data_ids[i], where));
        auto [it, fresh] = by_id_.emplace(p.id, p);
        if (!fresh) {
          if (!SameContent(it->second, p)) {
            return Status::Conflict(where + " appears twice in the export with different content");
          }
          continue;
        }
        STARLOG_ASSIGN_OR_RETURN(auto existing, view_.GetDataset(p.id));
        if (existing) {
          const bool same = existing->run == p.run && existing->dataset_type == p.dataset_type &&
                            existing->data_id == p.data_id &&
                            (!p.path || !existing->artifact || existing->artifact->path == *p.path);
          if (!same) {
            return Status::Conflict(where + " is in the repository with other content (" +
                                    existing->dataset_type + " in " + existing->run + ", " +
                                    codec::FieldMapToString(existing->data_id) + ")");
          }
          ++plan_.report.already_present;
          continue;
        }
        plan_.datasets.push_back(std::move(p));
        ++plan_.report.datasets;
      }
    }
  }
  return Status::OK();
}

Result<std::string> Importer::TypeOf(const codec::Uuid& id, const std::string& where) {
  if (auto p = by_id_.find(id); p != by_id_.end()) return p->second.dataset_type;
  STARLOG_ASSIGN_OR_RETURN(auto existing, view_.GetDataset(id));
  if (!existing) {
    return Status::InvalidArgument(where + ": dataset " + id.ToString() +
                                   " is neither in the export nor in the repository");
  }
  return existing->dataset_type;
}

Status Importer::Associations() {
  for (const ButlerAssociations& a : data_.associations) {
    const std::string where = "butler export associations of '" + a.collection + "'";
    STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetCollection(a.collection));
    bool declared = false;
    for (const ButlerCollection& c : data_.collections) {
      if (c.name == a.collection && c.type == a.type) declared = true;
    }
    if (!declared && (!there || there->type != a.type)) {
      return Status::InvalidArgument(where + ": no such " +
                                     std::string(codec::CollectionTypeName(a.type)) +
                                     " collection in the export or the repository");
    }
    if (a.type == codec::CollectionType::kTagged) {
      codec::Tag tag{a.collection, {}};
      for (const codec::Uuid& id : a.ids) {
        STARLOG_RETURN_IF_ERROR(TypeOf(id, where).status());
        STARLOG_ASSIGN_OR_RETURN(auto holders, view_.CollectionsHolding(id));
        if (std::find(holders.begin(), holders.end(), a.collection) != holders.end()) continue;
        tag.ids.push_back(id);
      }
      plan_.report.tagged += tag.ids.size();
      if (!tag.ids.empty()) plan_.tail.emplace_back(std::move(tag));
      continue;
    }
    // Certifications, one event per dataset type; those already there with
    // the same range are left out.
    std::map<std::string, codec::Certify> by_type;
    std::map<std::string, std::set<std::pair<codec::Uuid, std::pair<int64_t, int64_t>>>> existing;
    for (const ButlerValidity& v : a.validity_ranges) {
      for (const codec::Uuid& id : v.ids) {
        STARLOG_ASSIGN_OR_RETURN(std::string type, TypeOf(id, where));
        if (there && existing.count(type) == 0) {
          engine::DatasetQuery q;
          q.dataset_type = type;
          q.collections = {a.collection};
          q.find_first = false;
          STARLOG_ASSIGN_OR_RETURN(auto refs, view_.QueryDatasets(q));
          auto& set = existing[type];
          for (const engine::DatasetRef& r : refs) {
            if (r.validity) set.insert({r.id, {r.validity->begin, r.validity->end}});
          }
        }
        if (existing[type].count({id, {v.timespan.begin, v.timespan.end}}) != 0) continue;
        codec::Certify& c = by_type[type];
        c.collection = a.collection;
        c.dataset_type = type;
        c.entries.push_back(codec::CertifyEntry{id, v.timespan});
      }
    }
    for (auto& [type, certify] : by_type) {
      plan_.report.certified += certify.entries.size();
      plan_.tail.emplace_back(std::move(certify));
    }
  }
  return Status::OK();
}

Status Importer::Chains() {
  std::set<std::string> seen;
  for (const ButlerCollection& c : data_.collections) {
    if (c.type != codec::CollectionType::kChained || !seen.insert(c.name).second) continue;
    STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetCollection(c.name));
    if (there && there->children == c.children) continue;
    for (const std::string& child : c.children) {
      bool known = false;
      for (const ButlerCollection& other : data_.collections) known |= other.name == child;
      for (const ButlerDatasets& d : data_.datasets) known |= d.run == child;
      if (!known) {
        STARLOG_ASSIGN_OR_RETURN(auto child_there, view_.GetCollection(child));
        known = child_there.has_value();
      }
      if (!known) {
        return Status::InvalidArgument("butler export: chain '" + c.name + "' lists '" + child +
                                       "', which is neither in the export nor in the repository");
      }
    }
    plan_.tail.emplace_back(codec::SetChain{c.name, c.children});
    ++plan_.report.chains_set;
  }
  return Status::OK();
}

Result<ImportPlan> Importer::Build() {
  STARLOG_RETURN_IF_ERROR(CheckNames());
  STARLOG_RETURN_IF_ERROR(Types());
  STARLOG_RETURN_IF_ERROR(Collections());
  STARLOG_RETURN_IF_ERROR(Records());
  STARLOG_RETURN_IF_ERROR(Datasets());
  STARLOG_RETURN_IF_ERROR(Chains());
  STARLOG_RETURN_IF_ERROR(Associations());
  std::set<std::string> paths;
  for (const Planned& p : plan_.datasets) {
    if (p.path && paths.insert(*p.path).second) ++plan_.report.files;
  }
  return std::move(plan_);
}

}  // namespace

Result<ImportPlan> PlanButlerImport(const engine::EventStore& store,
                                    const engine::RegistryView& view, const ButlerExport& data,
                                    const std::string& folder, const ButlerImportOptions& options) {
  Importer importer(store, view, data, folder, options);
  return importer.Build();
}

}  // namespace starlog::ingest::internal
