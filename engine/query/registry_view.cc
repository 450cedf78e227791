#include <algorithm>
#include <functional>
#include <set>

#include "engine/model/storage_classes.h"
#include "engine/query/registry_view_impl.h"
#include "engine/store/key_coder.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/text.h"
#include "starlog/engine/glob.h"
#include "starlog/engine/policy.h"

namespace starlog::engine {

using codec::Quoted;

namespace {

Result<CollectionInfo> MakeCollectionInfo(const IndexReader& reader, std::string name,
                                          const keys::CollectionRecord& record) {
  CollectionInfo info{std::move(name), record.type, record.doc, {}};
  if (record.type == codec::CollectionType::kChained) {
    STARLOG_ASSIGN_OR_RETURN(auto children, reader.Get(Family::kChains, keys::Chain(info.name)));
    if (children) {
      STARLOG_ASSIGN_OR_RETURN(info.children, keys::DecodeChildren(*children));
    }
  }
  return info;
}

// Whether "name" matches one of "patterns"; everything does when there are none.
bool MatchesAny(const std::vector<std::string>& patterns, std::string_view name) {
  return patterns.empty() || std::any_of(patterns.begin(), patterns.end(),
                                         [&](const auto& p) { return GlobMatch(p, name); });
}

// Calls "visit(name, record)" for each S(name) -> record entry of "family",
// the record read by "decode"; Corruption naming "what" for an entry that
// does not decode.
template <typename Decode, typename Visit>
Status ScanNamed(const IndexReader& reader, Family family, std::string_view what, Decode decode,
                 Visit visit) {
  Status decoded;
  STARLOG_RETURN_IF_ERROR(reader.Scan(family, "", [&](std::string_view k, std::string_view v) {
    KeyReader r(k);
    auto name = r.String();
    auto record = decode(v);
    if (!name.ok() || !record.ok()) {
      decoded = Status::Corruption(std::string(what) + " entry");
      return false;
    }
    visit(*name, *record);
    return true;
  }));
  return decoded;
}

}  // namespace

TypeName SplitTypeName(const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return {name, ""};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

RegistryView::RegistryView(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
RegistryView::~RegistryView() = default;
RegistryView::RegistryView(const RegistryView&) = default;
RegistryView& RegistryView::operator=(const RegistryView&) = default;

uint64_t RegistryView::sequence() const { return impl_->as_of(); }
const Universe& RegistryView::universe() const { return impl_->universe(); }

Result<std::optional<CollectionInfo>> RegistryView::GetCollection(const std::string& name) const {
  if (auto cached = impl_->collections.Get(name)) return *cached;
  const IndexReader reader = impl_->reader();
  STARLOG_ASSIGN_OR_RETURN(auto payload, reader.Get(Family::kCollections, keys::Collection(name)));
  if (!payload) {
    impl_->collections.Put(name, std::nullopt);
    return std::optional<CollectionInfo>();
  }
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeCollection(*payload));
  STARLOG_ASSIGN_OR_RETURN(auto info, MakeCollectionInfo(reader, name, record));
  impl_->collections.Put(name, info);
  return std::optional<CollectionInfo>(std::move(info));
}

Result<std::vector<CollectionInfo>> RegistryView::QueryCollections(
    const std::vector<std::string>& patterns,
    const std::vector<codec::CollectionType>& types) const {
  for (const auto& p : patterns) STARLOG_RETURN_IF_ERROR(ValidateGlob(p));
  const IndexReader reader = impl_->reader();
  std::vector<std::pair<std::string, keys::CollectionRecord>> matches;
  STARLOG_RETURN_IF_ERROR(ScanNamed(
      reader, Family::kCollections, "collections", keys::DecodeCollection,
      [&](const std::string& name, const keys::CollectionRecord& record) {
        const bool type_ok =
            types.empty() || std::find(types.begin(), types.end(), record.type) != types.end();
        if (MatchesAny(patterns, name) && type_ok) matches.emplace_back(name, record);
      }));
  std::vector<CollectionInfo> out;
  for (auto& [name, record] : matches) {
    STARLOG_ASSIGN_OR_RETURN(auto info, MakeCollectionInfo(reader, name, record));
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<std::string>> RegistryView::ParentChains(const std::string& name) const {
  std::vector<std::string> out;
  Status decode;
  STARLOG_RETURN_IF_ERROR(impl_->reader().Scan(Family::kChainParents, keys::ChainParentPrefix(name),
                                               [&](std::string_view key, std::string_view) {
                                                 auto chain = keys::ChainParentName(key);
                                                 if (!chain.ok()) {
                                                   decode = chain.status();
                                                   return false;
                                                 }
                                                 out.push_back(std::move(*chain));
                                                 return true;
                                               }));
  STARLOG_RETURN_IF_ERROR(decode);
  return out;
}

Result<std::vector<std::string>> RegistryView::ResolveSearchPath(
    const std::vector<std::string>& names_or_patterns) const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  // Expands one collection depth-first; chains were checked acyclic on write,
  // and "expanding" guards against a damaged index all the same.
  std::set<std::string> expanding;
  std::function<Status(const std::string&)> expand = [&](const std::string& name) -> Status {
    STARLOG_ASSIGN_OR_RETURN(auto info, GetCollection(name));
    if (!info) return Status::NotFound("no collection " + Quoted(name));
    if (info->type != codec::CollectionType::kChained) {
      if (seen.insert(name).second) out.push_back(name);
      return Status::OK();
    }
    if (!expanding.insert(name).second) {
      return Status::Corruption("chain " + Quoted(name) + " contains itself");
    }
    for (const std::string& child : info->children) STARLOG_RETURN_IF_ERROR(expand(child));
    expanding.erase(name);
    return Status::OK();
  };
  for (const std::string& item : names_or_patterns) {
    if (!HasGlobCharacters(item)) {
      STARLOG_RETURN_IF_ERROR(expand(item));
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(auto matches, QueryCollections({item}));
    for (const auto& c : matches) STARLOG_RETURN_IF_ERROR(expand(c.name));
  }
  return out;
}

Result<DatasetTypeInfo> RegistryView::GetDatasetType(const std::string& name) const {
  if (auto cached = impl_->types.Get(name)) return *cached;
  const TypeName t = SplitTypeName(name);
  STARLOG_ASSIGN_OR_RETURN(auto payload,
                           impl_->reader().Get(Family::kDatasetTypes, keys::DatasetType(t.parent)));
  if (!payload) return Status::NotFound("no dataset type " + Quoted(t.parent));
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetType(*payload));
  DatasetTypeInfo info{name, record.dimensions, record.storage_class, record.is_calibration};
  if (!t.component.empty()) {
    // A component its storage class does not have is an error, not the parent.
    auto component = FindComponent(record.storage_class, t.component);
    if (!component) {
      std::string known;
      for (const auto& c : ComponentsOf(record.storage_class)) {
        known += (known.empty() ? "" : ", ") + std::string(c.name);
      }
      return Status::NotFound("dataset type " + Quoted(t.parent) + " (storage class " +
                              record.storage_class + ") has no component " + Quoted(t.component) +
                              (known.empty() ? "; it has no components" : "; it has " + known));
    }
    info.storage_class = std::string(component->storage_class);
  }
  impl_->types.Put(name, info);
  return info;
}

Result<std::vector<DatasetTypeInfo>> RegistryView::QueryDatasetTypes(
    const std::vector<std::string>& patterns, bool components) const {
  for (const auto& p : patterns) STARLOG_RETURN_IF_ERROR(ValidateGlob(p));
  std::vector<DatasetTypeInfo> out;
  STARLOG_RETURN_IF_ERROR(ScanNamed(
      impl_->reader(), Family::kDatasetTypes, "dataset_types", keys::DecodeDatasetType,
      [&](const std::string& name, const keys::DatasetTypeRecord& record) {
        if (MatchesAny(patterns, name)) {
          out.push_back({name, record.dimensions, record.storage_class, record.is_calibration});
        }
        if (components) {
          for (const auto& c : ComponentsOf(record.storage_class)) {
            const std::string full = name + "." + std::string(c.name);
            if (!MatchesAny(patterns, full) && !MatchesAny(patterns, name)) continue;
            out.push_back(
                {full, record.dimensions, std::string(c.storage_class), record.is_calibration});
          }
        }
      }));
  return out;
}

Result<std::vector<std::pair<codec::Uuid, codec::Artifact>>> RegistryView::Artifacts() const {
  std::vector<std::pair<codec::Uuid, codec::Artifact>> out;
  Status failure;
  STARLOG_RETURN_IF_ERROR(
      impl_->reader().Scan(Family::kArtifacts, "", [&](std::string_view key, std::string_view v) {
        auto artifact = keys::DecodeArtifact(v);
        if (!artifact.ok() || key.size() != 16) {
          failure = artifact.ok() ? Status::Corruption("bad artifact key") : artifact.status();
          return false;
        }
        out.emplace_back(codec::Uuid::FromBytes(key.data()), std::move(*artifact));
        return true;
      }));
  STARLOG_RETURN_IF_ERROR(failure);
  return out;
}

Result<std::optional<codec::FieldMap>> RegistryView::GetDimensionRecord(
    const std::string& element, const codec::FieldMap& data_id) const {
  if (universe().Find(element) == nullptr) {
    return Status::NotFound("no dimension element '" + element + "'");
  }
  RecordCache records(*impl_);
  STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* found, records.Get(element, data_id));
  if (found == nullptr) return std::optional<codec::FieldMap>();
  return std::optional<codec::FieldMap>(*found);
}

Result<codec::FieldMap> RegistryView::StandardizeDataId(
    const std::vector<std::string>& required_keys, const codec::FieldMap& data_id) const {
  codec::FieldMap kept;
  codec::FieldMap extra;
  for (const auto& [key, value] : data_id) {
    const bool required =
        std::find(required_keys.begin(), required_keys.end(), key) != required_keys.end();
    (required ? kept : extra).emplace(key, value);
  }
  if (extra.empty()) {
    STARLOG_RETURN_IF_ERROR(universe().ValidateDataId(required_keys, data_id));
    return kept;
  }
  STARLOG_RETURN_IF_ERROR(universe().ValidateDataId(required_keys, kept));
  // What the records say, walking from the required elements through what
  // each record implies (exposure -> physical_filter -> band).
  RecordCache records(*impl_);
  codec::FieldMap known = kept;
  std::set<std::string> implied;
  std::vector<std::string> pending(required_keys.begin(), required_keys.end());
  std::set<std::string> visited;
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!visited.insert(name).second) continue;
    const DimensionElement* e = universe().Find(name);
    if (e == nullptr || e->implies.empty()) continue;
    STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* record, records.Get(name, known));
    for (const std::string& target : e->implies) {
      implied.insert(target);
      if (record != nullptr) {
        if (auto it = record->find(target); it != record->end()) known.emplace(target, it->second);
      }
      pending.push_back(target);
    }
  }
  for (const auto& [key, value] : extra) {
    // Neither required nor implied: the same error as without implied keys.
    if (implied.count(key) == 0) return universe().ValidateDataId(required_keys, data_id);
    auto it = known.find(key);
    if (it != known.end() && it->second != value) {
      return Status::InvalidArgument("data ID {" + codec::FieldMapToString(data_id) + "} says " +
                                     key + "=" + codec::FieldValueToString(value) +
                                     ", but its records say " + key + "=" +
                                     codec::FieldValueToString(it->second));
    }
  }
  return kept;
}

Status ScanRecords(const IndexReader& reader, const std::string& element,
                   const std::function<bool(codec::FieldMap&& record)>& fn) {
  Status failure;
  STARLOG_RETURN_IF_ERROR(reader.Scan(Family::kDimensionRecords,
                                      keys::DimensionRecordPrefix(element),
                                      [&](std::string_view, std::string_view v) {
                                        auto value = keys::DecodeDimensionRecord(v);
                                        if (!value.ok()) {
                                          failure = value.status();
                                          return false;
                                        }
                                        return fn(std::move(value->record));
                                      }));
  return failure;
}

Result<DataIdPacker> RegistryView::MakePacker(const std::vector<std::string>& dimensions,
                                              const codec::FieldMap& fixed) const {
  return MakeDataIdPacker(universe(), dimensions, fixed,
                          [this](const std::string& element, const codec::FieldMap& data_id) {
                            return GetDimensionRecord(element, data_id);
                          });
}

Result<std::optional<codec::SetPolicy>> RegistryView::Policy() const {
  STARLOG_ASSIGN_OR_RETURN(auto text, impl_->reader().Get(Family::kPolicy, keys::kPolicy));
  if (!text) return std::optional<codec::SetPolicy>();
  auto policy = ParsePolicy(*text);
  if (!policy.ok()) return Status::Corruption("the stored access policy does not parse");
  return std::optional<codec::SetPolicy>(std::move(*policy));
}

Result<std::vector<SnapshotInfo>> RegistryView::Snapshots() const {
  std::vector<SnapshotInfo> out;
  Status failure;
  STARLOG_RETURN_IF_ERROR(
      impl_->reader().Scan(Family::kSnapshots, "", [&](std::string_view k, std::string_view v) {
        KeyReader r(k);
        auto name = r.String();
        if (!name.ok() || v.size() != 8) {
          failure = Status::Corruption("snapshots entry");
          return false;
        }
        out.push_back({*name, codec::DecodeBigEndian64(v.data())});
        return true;
      }));
  STARLOG_RETURN_IF_ERROR(failure);
  return out;
}

Result<std::optional<uint64_t>> RegistryView::SnapshotSequence(const std::string& name) const {
  STARLOG_ASSIGN_OR_RETURN(auto v, impl_->reader().Get(Family::kSnapshots, keys::Snapshot(name)));
  if (!v) return std::optional<uint64_t>();
  if (v->size() != 8) return Status::Corruption("snapshots entry");
  return std::optional<uint64_t>(codec::DecodeBigEndian64(v->data()));
}

}  // namespace starlog::engine
