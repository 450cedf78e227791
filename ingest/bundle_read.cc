#include <algorithm>
#include <map>
#include <set>

#include "ingest/bundle_content.h"
#include "starlog/codec/json_reader.h"
#include "starlog/codec/text.h"
#include "starlog/engine/names.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/fits_header.h"

namespace starlog::ingest::internal {

namespace {

using Kind = codec::JsonValue::Kind;

const codec::JsonValue kNull;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kInt:
      return "an integer";
    case Kind::kNumber:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kArray:
      return "an array";
    case Kind::kObject:
      return "an object";
  }
  return "?";
}

// Every member is read through these, so a value of the wrong kind is named
// with where it is instead of read as empty.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  Status Fail(const std::string& what) const {
    return Status::InvalidArgument("bundle " + where_ + ": " + what);
  }

  Result<const codec::JsonValue*> Member(const codec::JsonValue& v, const char* key, Kind kind,
                                         bool optional = false) const {
    if (v.kind != Kind::kObject) return Fail("is not an object");
    const codec::JsonValue* m = v.Find(key);
    if (m == nullptr || (optional && m->kind == Kind::kNull)) {
      if (optional) return &kNull;
      return Fail(std::string("lacks \"") + key + "\"");
    }
    if (m->kind != kind) {
      return Fail(std::string("\"") + key + "\" is " + std::string(KindName(m->kind)) + ", not " +
                  std::string(KindName(kind)));
    }
    return m;
  }
  Result<std::string> String(const codec::JsonValue& v, const char* key) const {
    STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* m, Member(v, key, Kind::kString));
    return m->text;
  }
  Result<const std::vector<codec::JsonValue>*> Array(const codec::JsonValue& v, const char* key,
                                                     bool optional = false) const {
    STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* m, Member(v, key, Kind::kArray, optional));
    return &m->array;
  }
  Result<std::vector<std::string>> Strings(const codec::JsonValue& v, const char* key,
                                           bool optional = false) const {
    STARLOG_ASSIGN_OR_RETURN(auto items, Array(v, key, optional));
    std::vector<std::string> out;
    for (const codec::JsonValue& item : *items) {
      if (item.kind != Kind::kString)
        return Fail(std::string("\"") + key + "\" holds a non-string");
      out.push_back(item.text);
    }
    return out;
  }
  Result<std::vector<codec::Uuid>> Ids(const codec::JsonValue& v) const {
    STARLOG_ASSIGN_OR_RETURN(std::vector<std::string> texts, Strings(v, "ids"));
    std::vector<codec::Uuid> out;
    for (const std::string& t : texts) {
      auto id = codec::Uuid::Parse(t);
      if (!id.ok()) return Fail("dataset id '" + codec::Printable(t) + "' is not a UUID");
      out.push_back(*id);
    }
    return out;
  }
  Result<codec::FieldMap> Fields(const codec::JsonValue& v, const char* key) const {
    STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* m, Member(v, key, Kind::kObject));
    codec::FieldMap out;
    for (size_t i = 0; i < m->names.size(); ++i) {
      const codec::JsonValue& x = m->values[i];
      STARLOG_RETURN_IF_ERROR(engine::ValidateIdentifier("field", m->names[i]).WithContext(where_));
      if (x.kind == Kind::kInt) {
        out.emplace(m->names[i], x.integer);
      } else if (x.kind == Kind::kString) {
        STARLOG_RETURN_IF_ERROR(
            engine::ValidateText(m->names[i], x.text, engine::kMaxRecordValueLength, true)
                .WithContext(where_));
        out.emplace(m->names[i], x.text);
      } else {
        return Fail(std::string(key) + "." + m->names[i] + " is neither an integer nor a string");
      }
    }
    return out;
  }
  // A bound of a validity range: null is unbounded.
  Result<int64_t> Bound(const codec::JsonValue& v, const char* key, int64_t unbounded) const {
    STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* m, Member(v, key, Kind::kInt, true));
    return m->kind == Kind::kNull ? unbounded : m->integer;
  }

 private:
  std::string where_;
};

std::string At(const char* list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

Result<codec::RegisterDatasetType> ReadType(const Reader& r, const codec::JsonValue& t,
                                            const engine::Universe& universe) {
  codec::RegisterDatasetType type;
  STARLOG_ASSIGN_OR_RETURN(type.name, r.String(t, "name"));
  STARLOG_RETURN_IF_ERROR(engine::ValidateDatasetTypeName(type.name).WithContext("bundle"));
  STARLOG_ASSIGN_OR_RETURN(type.dimensions, r.Strings(t, "dimensions"));
  STARLOG_RETURN_IF_ERROR(
      universe.RequiredKeys(type.dimensions).status().WithContext("bundle type " + type.name));
  STARLOG_ASSIGN_OR_RETURN(type.storage_class, r.String(t, "storage_class"));
  STARLOG_RETURN_IF_ERROR(
      engine::ValidateText("storage class", type.storage_class, engine::kMaxShortTextLength)
          .WithContext("bundle type " + type.name));
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* cal, r.Member(t, "is_calibration", Kind::kBool));
  type.is_calibration = cal->boolean;
  return type;
}

Status ReadTypes(const codec::JsonValue& bundle, const engine::Universe& universe,
                 BundleContent* out) {
  STARLOG_ASSIGN_OR_RETURN(auto items, Reader("").Array(bundle, "dataset_types"));
  for (size_t i = 0; i < items->size(); ++i) {
    const Reader r(At("dataset_types", i));
    STARLOG_ASSIGN_OR_RETURN(codec::RegisterDatasetType type, ReadType(r, (*items)[i], universe));
    for (const codec::RegisterDatasetType& other : out->dataset_types) {
      if (other.name == type.name)
        return r.Fail("dataset type '" + type.name + "' is listed twice");
    }
    out->dataset_types.push_back(std::move(type));
  }
  return Status::OK();
}

Status CheckChildren(const Reader& r, const std::string& chain,
                     const std::vector<std::string>& children) {
  std::set<std::string> seen;
  for (const std::string& child : children) {
    STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(child).WithContext(chain));
    if (child == chain || !seen.insert(child).second) {
      return r.Fail("chain '" + chain + "' lists '" + child +
                    (child == chain ? "', itself" : "' twice"));
    }
  }
  return Status::OK();
}

Result<ButlerCollection> ReadCollectionItem(const Reader& r, const codec::JsonValue& c, bool v1) {
  ButlerCollection collection;
  STARLOG_ASSIGN_OR_RETURN(collection.name, r.String(c, "name"));
  STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(collection.name).WithContext("bundle"));
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* doc, r.Member(c, "doc", Kind::kString, true));
  if (doc->kind == Kind::kString) {
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateText("doc", doc->text, engine::kMaxRecordValueLength, true)
            .WithContext("bundle collection " + collection.name));
    collection.doc = doc->text;
  }
  if (!v1) {
    STARLOG_ASSIGN_OR_RETURN(std::string type, r.String(c, "type"));
    auto parsed = codec::CollectionTypeFromName(type);
    if (!parsed) return r.Fail("unknown collection type '" + codec::Printable(type) + "'");
    collection.type = *parsed;
    STARLOG_ASSIGN_OR_RETURN(collection.children, r.Strings(c, "children", true));
    if (!collection.children.empty() && collection.type != codec::CollectionType::kChained) {
      return r.Fail("'" + collection.name + "' has children but is not CHAINED");
    }
    STARLOG_RETURN_IF_ERROR(CheckChildren(r, collection.name, collection.children));
  }
  return collection;
}

Status ReadCollection(const Reader& r, const codec::JsonValue& c, bool v1, BundleContent* out) {
  STARLOG_ASSIGN_OR_RETURN(ButlerCollection collection, ReadCollectionItem(r, c, v1));
  for (const ButlerCollection& other : out->collections) {
    if (other.name == collection.name) {
      return r.Fail("collection '" + collection.name + "' is listed twice");
    }
  }
  out->collections.push_back(std::move(collection));
  return Status::OK();
}

Result<BundleRecord> ReadRecord(const Reader& r, const codec::JsonValue& item,
                                const engine::Universe& universe) {
  BundleRecord out;
  STARLOG_ASSIGN_OR_RETURN(out.element, r.String(item, "element"));
  const engine::DimensionElement* e = universe.Find(out.element);
  if (e == nullptr)
    return r.Fail("no element '" + codec::Printable(out.element) + "' in the universe");
  STARLOG_ASSIGN_OR_RETURN(out.record, r.Fields(item, "record"));
  for (const auto& [field, value] : out.record) {
    const engine::ValueType* type = universe.FieldType(*e, field);
    if (type == nullptr) return r.Fail(out.element + " has no field '" + field + "'");
    const bool is_int = std::holds_alternative<int64_t>(value);
    if (is_int != (*type == engine::ValueType::kInt)) {
      return r.Fail(out.element + "." + field + " is not " +
                    std::string(engine::ValueTypeName(*type)));
    }
  }
  return out;
}

Status ReadRecords(const codec::JsonValue& bundle, const engine::Universe& universe,
                   BundleContent* out) {
  STARLOG_ASSIGN_OR_RETURN(auto items, Reader("").Array(bundle, "dimension_records"));
  for (size_t i = 0; i < items->size(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(BundleRecord r,
                             ReadRecord(Reader(At("dimension_records", i)), (*items)[i], universe));
    if (out->records.empty() || out->records.back().element != r.element) {
      out->records.push_back(ButlerRecords{r.element, {}});
    }
    out->records.back().records.push_back(std::move(r.record));
  }
  return Status::OK();
}

Result<std::optional<codec::Artifact>> ReadArtifact(const Reader& r, const codec::JsonValue& d,
                                                    bool v1) {
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* path, r.Member(d, "path", Kind::kString, !v1));
  if (path->kind == Kind::kNull) {
    for (const char* key : {"size", "checksum", "hdu"}) {
      if (d.Find(key) != nullptr) return r.Fail(std::string("has \"") + key + "\" but no path");
    }
    return std::optional<codec::Artifact>();
  }
  codec::Artifact a;
  a.path = path->text;
  STARLOG_RETURN_IF_ERROR(engine::ValidateRelativePath(a.path).WithContext("bundle file"));
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* size, r.Member(d, "size", Kind::kInt));
  if (size->integer < 0) return r.Fail("size is negative");
  a.size = static_cast<uint64_t>(size->integer);
  STARLOG_ASSIGN_OR_RETURN(std::string checksum, r.String(d, "checksum"));
  auto hash = codec::Hash128::FromHex(checksum);
  if (!hash.ok())
    return r.Fail("checksum '" + codec::Printable(checksum) + "' is not XXH3-128 hex");
  a.checksum = *hash;
  // Absent for a whole file; a dataset of one HDU of a shared file has it.
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* hdu, r.Member(d, "hdu", Kind::kInt, true));
  if (hdu->integer < 0 || static_cast<uint64_t>(hdu->integer) >= kMaxHdus) {
    return r.Fail("hdu " + std::to_string(hdu->integer) + " is out of range");
  }
  a.hdu = static_cast<uint32_t>(hdu->integer);
  return std::optional<codec::Artifact>(std::move(a));
}

// A dataset by itself: its RUN and its memberships are checked against the
// bundle's collections by the caller.
Result<BundleDataset> ReadDataset(const Reader& r, const codec::JsonValue& d,
                                  const engine::Universe& universe, const TypeKeys& keys, bool v1) {
  BundleDataset dataset;
  STARLOG_ASSIGN_OR_RETURN(std::string id, r.String(d, "id"));
  auto parsed = codec::Uuid::Parse(id);
  if (!parsed.ok()) return r.Fail("id '" + codec::Printable(id) + "' is not a UUID");
  dataset.id = *parsed;
  const std::string where = "bundle dataset " + id;
  STARLOG_ASSIGN_OR_RETURN(dataset.dataset_type, r.String(d, "dataset_type"));
  STARLOG_ASSIGN_OR_RETURN(dataset.run, r.String(d, "run"));
  STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(dataset.run).WithContext(where));
  STARLOG_RETURN_IF_ERROR(engine::ValidateDatasetTypeName(dataset.dataset_type).WithContext(where));
  auto type_keys = keys.find(dataset.dataset_type);
  if (type_keys == keys.end()) {
    return r.Fail("dataset type '" + dataset.dataset_type + "' is not among the bundle's");
  }
  STARLOG_ASSIGN_OR_RETURN(dataset.data_id, r.Fields(d, "data_id"));
  STARLOG_RETURN_IF_ERROR(
      universe.ValidateDataId(type_keys->second, dataset.data_id).WithContext(where));
  STARLOG_ASSIGN_OR_RETURN(dataset.artifact, ReadArtifact(r, d, v1));
  return dataset;
}

Status ReadDatasets(const codec::JsonValue& bundle, const engine::Universe& universe, bool v1,
                    BundleContent* out) {
  TypeKeys keys;
  for (const codec::RegisterDatasetType& t : out->dataset_types) {
    keys[t.name] = universe.RequiredKeys(t.dimensions).value();
  }
  std::set<codec::Uuid> seen;
  STARLOG_ASSIGN_OR_RETURN(auto items, Reader("").Array(bundle, "datasets"));
  for (size_t i = 0; i < items->size(); ++i) {
    const Reader r(At("datasets", i));
    STARLOG_ASSIGN_OR_RETURN(BundleDataset dataset,
                             ReadDataset(r, (*items)[i], universe, keys, v1));
    if (!seen.insert(dataset.id).second) {
      return r.Fail("dataset " + dataset.id.ToString() + " is listed twice");
    }
    bool has_run = false;
    for (const ButlerCollection& c : out->collections) {
      has_run |= c.name == dataset.run && c.type == codec::CollectionType::kRun;
    }
    if (!has_run) return r.Fail("RUN '" + dataset.run + "' is not among the bundle's collections");
    out->datasets.push_back(std::move(dataset));
  }
  return Status::OK();
}

Result<codec::Timespan> ReadValidity(const Reader& r, const codec::JsonValue& c) {
  codec::Timespan validity;
  STARLOG_ASSIGN_OR_RETURN(validity.begin, r.Bound(c, "begin", codec::kUnboundedBegin));
  STARLOG_ASSIGN_OR_RETURN(validity.end, r.Bound(c, "end", codec::kUnboundedEnd));
  if (validity.IsEmpty()) return r.Fail("the validity range is empty (begin >= end)");
  return validity;
}

// The memberships, each in a collection of the bundle of the right type.
Status ReadMemberships(const codec::JsonValue& bundle, BundleContent* out) {
  const auto check = [&](const Reader& r, const std::string& name, codec::CollectionType type) {
    for (const ButlerCollection& c : out->collections) {
      if (c.name == name && c.type == type) return Status::OK();
    }
    return r.Fail("'" + codec::Printable(name) + "' is not a " +
                  std::string(codec::CollectionTypeName(type)) + " collection of the bundle");
  };
  STARLOG_ASSIGN_OR_RETURN(auto tagged, Reader("").Array(bundle, "tagged"));
  for (size_t i = 0; i < tagged->size(); ++i) {
    const Reader r(At("tagged", i));
    BundleTagged t;
    STARLOG_ASSIGN_OR_RETURN(t.collection, r.String((*tagged)[i], "collection"));
    STARLOG_RETURN_IF_ERROR(check(r, t.collection, codec::CollectionType::kTagged));
    STARLOG_ASSIGN_OR_RETURN(t.ids, r.Ids((*tagged)[i]));
    out->tagged.push_back(std::move(t));
  }
  // Only a calibration type's datasets are certified (those of the bundle
  // are checked here, the repository's by the append).
  std::map<codec::Uuid, std::string> type_of;
  for (const BundleDataset& d : out->datasets) type_of.emplace(d.id, d.dataset_type);
  std::set<std::string> calibration;
  for (const codec::RegisterDatasetType& t : out->dataset_types) {
    if (t.is_calibration) calibration.insert(t.name);
  }
  STARLOG_ASSIGN_OR_RETURN(auto certs, Reader("").Array(bundle, "certifications"));
  for (size_t i = 0; i < certs->size(); ++i) {
    const Reader r(At("certifications", i));
    const codec::JsonValue& c = (*certs)[i];
    BundleCertification cert;
    STARLOG_ASSIGN_OR_RETURN(cert.collection, r.String(c, "collection"));
    STARLOG_RETURN_IF_ERROR(check(r, cert.collection, codec::CollectionType::kCalibration));
    STARLOG_ASSIGN_OR_RETURN(cert.validity, ReadValidity(r, c));
    STARLOG_ASSIGN_OR_RETURN(cert.ids, r.Ids(c));
    for (const codec::Uuid& id : cert.ids) {
      auto type = type_of.find(id);
      if (type != type_of.end() && !calibration.count(type->second)) {
        return r.Fail("dataset " + id.ToString() + " is a " + type->second +
                      ", not a calibration type");
      }
    }
    out->certifications.push_back(std::move(cert));
  }
  return Status::OK();
}

// Version 3: a dataset line's memberships, by collection name.
Status ReadLineMemberships(const Reader& r, const codec::JsonValue& d, BundleDataset* out) {
  STARLOG_ASSIGN_OR_RETURN(out->tagged, r.Strings(d, "tagged", true));
  for (const std::string& c : out->tagged) {
    STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(c).WithContext("bundle tag"));
  }
  STARLOG_ASSIGN_OR_RETURN(auto certified, r.Array(d, "certified", true));
  for (const codec::JsonValue& c : *certified) {
    BundleCertified cert;
    STARLOG_ASSIGN_OR_RETURN(cert.collection, r.String(c, "collection"));
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateCollectionName(cert.collection).WithContext("bundle certification"));
    STARLOG_ASSIGN_OR_RETURN(cert.validity, ReadValidity(r, c));
    out->certified.push_back(std::move(cert));
  }
  return Status::OK();
}

}  // namespace

Result<BundleContent> ParseBundle(std::string_view text, const engine::Universe& universe) {
  STARLOG_ASSIGN_OR_RETURN(codec::JsonValue bundle, codec::ParseJson(text));
  const Reader top("bundle.json");
  const codec::JsonValue* format = bundle.Find("format");
  if (bundle.kind != Kind::kObject || format == nullptr || format->text != "starlog-bundle") {
    return Status::InvalidArgument("not a starlog bundle (no \"format\": \"starlog-bundle\")");
  }
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* version,
                           top.Member(bundle, "version", Kind::kInt));
  if (version->integer != 1 && version->integer != 2) {
    return Status::NotSupported("bundle version " + std::to_string(version->integer) +
                                " in bundle.json; this build reads versions 1 and 2 there "
                                "(version " +
                                std::to_string(kBundleVersion) + " in bundle.jsonl)");
  }
  BundleContent out;
  out.version = static_cast<int>(version->integer);
  const bool v1 = out.version == 1;
  STARLOG_RETURN_IF_ERROR(ReadTypes(bundle, universe, &out));
  STARLOG_ASSIGN_OR_RETURN(auto collections, top.Array(bundle, v1 ? "runs" : "collections"));
  for (size_t i = 0; i < collections->size(); ++i) {
    STARLOG_RETURN_IF_ERROR(
        ReadCollection(Reader(At(v1 ? "runs" : "collections", i)), (*collections)[i], v1, &out));
  }
  STARLOG_RETURN_IF_ERROR(ReadRecords(bundle, universe, &out));
  STARLOG_RETURN_IF_ERROR(ReadDatasets(bundle, universe, v1, &out));
  if (!v1) STARLOG_RETURN_IF_ERROR(ReadMemberships(bundle, &out));
  return out;
}

Result<BundleHeader> ReadBundleHeader(std::string_view line) {
  auto parsed = codec::ParseJson(line);
  if (!parsed.ok()) return parsed.status().WithContext("bundle line 1");
  const codec::JsonValue& v = *parsed;
  const codec::JsonValue* format = v.Find("format");
  if (v.kind != Kind::kObject || format == nullptr || format->text != "starlog-bundle") {
    return Status::InvalidArgument(
        "bundle line 1: not a starlog bundle (no \"format\": \"starlog-bundle\")");
  }
  const Reader r("line 1");
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* version, r.Member(v, "version", Kind::kInt));
  if (version->integer != kBundleVersion) {
    return Status::NotSupported("bundle version " + std::to_string(version->integer) +
                                " in bundle.jsonl; this build reads version " +
                                std::to_string(kBundleVersion) +
                                " there (versions 1 and 2 in bundle.json)");
  }
  BundleHeader out;
  out.version = static_cast<int>(version->integer);
  STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* counts, r.Member(v, "counts", Kind::kObject));
  const std::pair<const char*, uint64_t*> members[] = {
      {"dataset_types", &out.counts.dataset_types},
      {"collections", &out.counts.collections},
      {"chains", &out.counts.chains},
      {"dimension_records", &out.counts.dimension_records},
      {"datasets", &out.counts.datasets}};
  for (const auto& [key, slot] : members) {
    STARLOG_ASSIGN_OR_RETURN(const codec::JsonValue* n, r.Member(*counts, key, Kind::kInt));
    if (n->integer < 0) return r.Fail(std::string("counts.") + key + " is negative");
    *slot = static_cast<uint64_t>(n->integer);
  }
  return out;
}

Result<BundleLine> ReadBundleLine(std::string_view text, uint64_t number,
                                  const engine::Universe& universe, const TypeKeys& keys) {
  const std::string where = "line " + std::to_string(number);
  auto parsed = codec::ParseJson(text);
  if (!parsed.ok()) return parsed.status().WithContext("bundle " + where);
  const codec::JsonValue& v = *parsed;
  const Reader r(where);
  if (v.kind != Kind::kObject || v.names.size() != 1 || v.values[0].kind != Kind::kObject) {
    return r.Fail("is not an object of one member (its kind) holding an object");
  }
  const std::string& kind = v.names[0];
  const codec::JsonValue& item = v.values[0];
  // Errors the item readers give without the line get it here.
  const auto at_line = [&](Status s) {
    const std::string prefix = "bundle " + where;
    if (s.ok() || s.message().substr(0, prefix.size()) == prefix) return s;
    return s.WithContext(prefix);
  };
  if (kind == "dataset_type") {
    auto t = ReadType(r, item, universe);
    if (!t.ok()) return at_line(t.status());
    return BundleLine(std::move(*t));
  }
  if (kind == "collection") {
    auto c = ReadCollectionItem(r, item, false);
    if (!c.ok()) return at_line(c.status());
    if (!c->children.empty()) return r.Fail("a chain's children go in a \"chain\" line");
    return BundleLine(std::move(*c));
  }
  if (kind == "chain") {
    BundleChain chain;
    STARLOG_ASSIGN_OR_RETURN(chain.name, r.String(item, "name"));
    Status s = engine::ValidateCollectionName(chain.name);
    if (s.ok()) {
      auto children = r.Strings(item, "children");
      s = children.ok() ? CheckChildren(r, chain.name, *children) : children.status();
      if (s.ok()) chain.children = std::move(*children);
    }
    if (!s.ok()) return at_line(s);
    return BundleLine(std::move(chain));
  }
  if (kind == "dimension_record") {
    auto record = ReadRecord(r, item, universe);
    if (!record.ok()) return at_line(record.status());
    return BundleLine(std::move(*record));
  }
  if (kind == "dataset") {
    auto d = ReadDataset(r, item, universe, keys, false);
    Status s = d.ok() ? ReadLineMemberships(r, item, &*d) : d.status();
    if (!s.ok()) return at_line(s);
    return BundleLine(std::move(*d));
  }
  return r.Fail("unknown kind \"" + codec::Printable(kind) + "\"");
}

namespace {

void PutPart(std::string* out, std::string_view part) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((part.size() >> shift) & 0xff));
  }
  out->append(part);
}

}  // namespace

Result<std::string> RecordKey(const engine::Universe& universe, const std::string& element,
                              const codec::FieldMap& record) {
  const engine::DimensionElement* e = universe.Find(element);
  if (e == nullptr) return Status::InvalidArgument("no element '" + element + "'");
  STARLOG_ASSIGN_OR_RETURN(
      auto keys, e->join ? universe.RequiredKeys(e->required) : universe.RequiredKeys({element}));
  auto key = engine::EncodeDataIdKeys(record, keys);
  if (!key.ok()) return key.status().WithContext(element + " record");
  return key;
}

std::string DatasetGroupKey(const std::string& dataset_type, const codec::FieldMap& data_id) {
  std::string out;
  PutPart(&out, dataset_type);
  PutPart(&out, engine::EncodeDataId(data_id));
  return out;
}

std::string DatasetOrderKey(const std::string& dataset_type, const codec::FieldMap& data_id,
                            const std::string& run) {
  std::string out = DatasetGroupKey(dataset_type, data_id);
  out.append(run);
  return out;
}

}  // namespace starlog::ingest::internal
