#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "starlog/codec/numbers.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/time_scales.h"
#include "starlog/ingest/butler_yaml.h"

namespace starlog::ingest {

namespace {

constexpr std::string_view kTimeTag = "!butler_time/tai/iso";
constexpr std::string_view kTimespanTag = "!lsst.daf.butler.Timespan";
// Anchors and aliases let a short file name the same node many times: every
// node visited counts, so a crafted file cannot make the walk explode.
constexpr size_t kMaxNodesVisited = size_t{64} << 20;

// yaml-cpp throws; everything below runs inside one try in ParseButlerExport.
class Reader {
 public:
  Reader(const engine::Universe& universe, const ButlerReadOptions& options)
      : universe_(universe),
        skip_(options.skip_dimensions.begin(), options.skip_dimensions.end()),
        drop_(options.drop_unknown_fields) {}

  Result<ButlerExport> Read(const YAML::Node& root);

 private:
  Status Visit(std::string_view where) {
    if (++visited_ > kMaxNodesVisited) {
      return Status::InvalidArgument("butler export: too many nodes (aliases?) at " +
                                     std::string(where));
    }
    return Status::OK();
  }
  Result<std::string> Text(const YAML::Node& node, const std::string& where);
  Result<int64_t> Integer(const YAML::Node& node, const std::string& where);
  Result<int64_t> Time(const YAML::Node& node, const std::string& where, bool end);
  Result<codec::Timespan> Span(const YAML::Node& begin, const YAML::Node& end,
                               const std::string& where);
  Result<codec::Uuid> Id(const YAML::Node& node, const std::string& where);
  Result<std::vector<codec::Uuid>> Ids(const YAML::Node& node, const std::string& where);
  Result<codec::FieldMap> DataId(const YAML::Node& node, const std::string& where);
  Status Dimension(const YAML::Node& entry, const std::string& where, ButlerExport* out);
  Status Collection(const YAML::Node& entry, const std::string& where, ButlerExport* out);
  Status DatasetType(const YAML::Node& entry, const std::string& where, ButlerExport* out);
  Status Datasets(const YAML::Node& entry, const std::string& where, ButlerExport* out);
  Status Associations(const YAML::Node& entry, const std::string& where, ButlerExport* out);

  const engine::Universe& universe_;
  std::set<std::string, std::less<>> skip_;
  bool drop_ = false;
  size_t visited_ = 0;
};

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("butler export: " + where + ": " + what);
}

// A member that must be there.
Result<YAML::Node> Need(const YAML::Node& map, const char* key, const std::string& where) {
  YAML::Node v = map[key];
  if (!v.IsDefined()) return Bad(where, std::string("has no '") + key + "'");
  return v;
}

// A node that is one value or a list of them (the butler's ensure_iterable).
std::vector<YAML::Node> Items(const YAML::Node& node) {
  std::vector<YAML::Node> out;
  if (node.IsSequence()) {
    for (const YAML::Node& n : node) out.push_back(n);
  } else {
    out.push_back(node);
  }
  return out;
}

Result<std::string> Reader::Text(const YAML::Node& node, const std::string& where) {
  STARLOG_RETURN_IF_ERROR(Visit(where));
  if (!node.IsScalar()) return Bad(where, "expected a text value");
  return node.Scalar();
}

Result<int64_t> Reader::Integer(const YAML::Node& node, const std::string& where) {
  STARLOG_RETURN_IF_ERROR(Visit(where));
  // A quoted scalar ("!" tag) is text even when it looks like a number.
  if (!node.IsScalar() || node.Tag() == "!") return Bad(where, "expected an integer");
  const std::string& s = node.Scalar();
  std::optional<int64_t> v = codec::ParseInt(s);
  if (!v) return Bad(where, "expected an integer, got '" + codec::Printable(s) + "'");
  return *v;
}

Result<int64_t> Reader::Time(const YAML::Node& node, const std::string& where, bool end) {
  STARLOG_RETURN_IF_ERROR(Visit(where));
  if (node.IsNull() || !node.IsDefined())
    return end ? codec::kUnboundedEnd : codec::kUnboundedBegin;
  if (!node.IsScalar()) return Bad(where, "expected a time");
  auto t = codec::ParseIsoTime(node.Scalar());
  if (!t.ok()) return Bad(where, std::string(t.status().message()));
  if (node.Tag() == kTimeTag) return *t;
  // Untagged: a YAML timestamp as older exports wrote them, in UTC.
  if (node.Tag() == "?" || node.Tag() == "tag:yaml.org,2002:timestamp") {
    auto tai = engine::UtcToTai(*t);
    if (!tai.ok()) return Bad(where, std::string(tai.status().message()));
    return *tai;
  }
  return Bad(where,
             "a time is tagged " + std::string(kTimeTag) + ", not " + codec::Printable(node.Tag()));
}

Result<codec::Timespan> Reader::Span(const YAML::Node& begin, const YAML::Node& end,
                                     const std::string& where) {
  STARLOG_ASSIGN_OR_RETURN(int64_t b, Time(begin, where + ".begin", false));
  STARLOG_ASSIGN_OR_RETURN(int64_t e, Time(end, where + ".end", true));
  codec::Timespan span = codec::ButlerTimespan(b, e);
  if (span.IsEmpty()) return Bad(where, "the validity range is empty");
  return span;
}

Result<codec::Uuid> Reader::Id(const YAML::Node& node, const std::string& where) {
  STARLOG_RETURN_IF_ERROR(Visit(where));
  if (!node.IsScalar()) return Bad(where, "expected a dataset id");
  if (node.Tag() != "!uuid" && codec::ParseInt(node.Scalar())) {
    return Bad(where, "integer dataset ids (exports from before UUIDs) are not supported");
  }
  auto id = codec::Uuid::Parse(node.Scalar());
  if (!id.ok()) return Bad(where, std::string(id.status().message()));
  return *id;
}

Result<std::vector<codec::Uuid>> Reader::Ids(const YAML::Node& node, const std::string& where) {
  std::vector<codec::Uuid> ids;
  for (const YAML::Node& n : Items(node)) {
    STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, Id(n, where));
    ids.push_back(id);
  }
  return ids;
}

Result<codec::FieldMap> Reader::DataId(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return Bad(where, "a data ID is a mapping");
  codec::FieldMap out;
  for (const auto& kv : node) {
    STARLOG_ASSIGN_OR_RETURN(std::string key, Text(kv.first, where));
    const engine::DimensionElement* e = universe_.Find(key);
    if (e == nullptr || e->join)
      return Bad(where, "'" + codec::Printable(key) + "' is no dimension");
    const std::string at = where + "." + key;
    if (e->key_type == engine::ValueType::kInt) {
      STARLOG_ASSIGN_OR_RETURN(int64_t v, Integer(kv.second, at));
      out.emplace(key, v);
    } else {
      STARLOG_ASSIGN_OR_RETURN(std::string v, Text(kv.second, at));
      out.emplace(key, std::move(v));
    }
  }
  return out;
}

Status Reader::Dimension(const YAML::Node& entry, const std::string& where, ButlerExport* out) {
  STARLOG_ASSIGN_OR_RETURN(YAML::Node element_node, Need(entry, "element", where));
  STARLOG_ASSIGN_OR_RETURN(std::string element, Text(element_node, where + ".element"));
  if (skip_.count(element) != 0) return Status::OK();
  const engine::DimensionElement* e = universe_.Find(element);
  if (e == nullptr) {
    return Bad(where, "element '" + codec::Printable(element) +
                          "' is not in this repository's universe (--skip-dimensions " +
                          codec::Printable(element) + " leaves its records out)");
  }
  // The butler calls a record's own key "id" (integers) or "name" (text).
  const std::string own_key = e->key_type == engine::ValueType::kInt ? "id" : "name";
  ButlerRecords records{element, {}};
  STARLOG_ASSIGN_OR_RETURN(YAML::Node list, Need(entry, "records", where));
  if (!list.IsSequence()) return Bad(where, "records is not a list");
  size_t i = 0;
  for (const YAML::Node& r : list) {
    const std::string at = where + " (" + element + " record " + std::to_string(i++) + ")";
    if (!r.IsMap()) return Bad(at, "a record is a mapping");
    codec::FieldMap record;
    for (const auto& kv : r) {
      STARLOG_ASSIGN_OR_RETURN(std::string field, Text(kv.first, at));
      if (kv.second.IsNull()) continue;  // The butler's null: no value.
      std::string name = field;
      if (!e->join && field == own_key) name = element;
      if (field == "datetime_begin") name = "timespan_begin";
      if (field == "datetime_end") name = "timespan_end";
      const engine::ValueType* type = universe_.FieldType(*e, name);
      const bool text_form =
          kv.second.IsScalar() &&
          (kv.second.Tag() == "?" || kv.second.Tag() == "!" || kv.second.Tag() == kTimeTag);
      if (drop_ && (type == nullptr || !text_form)) {
        ++out->dropped_fields[element + "." + field];
        continue;
      }
      if (type == nullptr) {
        return Bad(at, "field '" + codec::Printable(field) + "' is not in element '" + element +
                           "' of this repository's universe (--drop-unknown-fields leaves such "
                           "fields out)");
      }
      const std::string field_at = at + "." + field;
      if (name == "timespan_begin" || name == "timespan_end") {
        if (*type != engine::ValueType::kInt) return Bad(field_at, "the universe types it text");
        STARLOG_ASSIGN_OR_RETURN(int64_t t, Time(kv.second, field_at, name == "timespan_end"));
        record.emplace(name, t);
      } else if (*type == engine::ValueType::kInt) {
        STARLOG_ASSIGN_OR_RETURN(int64_t v, Integer(kv.second, field_at));
        record.emplace(name, v);
      } else {
        if (kv.second.IsScalar() && kv.second.Tag() != "?" && kv.second.Tag() != "!") {
          return Bad(field_at, "a value tagged " + codec::Printable(kv.second.Tag()) +
                                   " has no text form in starlog");
        }
        STARLOG_ASSIGN_OR_RETURN(std::string v, Text(kv.second, field_at));
        record.emplace(name, std::move(v));
      }
    }
    records.records.push_back(std::move(record));
  }
  out->dimensions.push_back(std::move(records));
  return Status::OK();
}

Status Reader::Collection(const YAML::Node& entry, const std::string& where, ButlerExport* out) {
  ButlerCollection c;
  STARLOG_ASSIGN_OR_RETURN(YAML::Node name, Need(entry, "name", where));
  STARLOG_ASSIGN_OR_RETURN(c.name, Text(name, where + ".name"));
  STARLOG_ASSIGN_OR_RETURN(YAML::Node type_node, Need(entry, "collection_type", where));
  STARLOG_ASSIGN_OR_RETURN(std::string type, Text(type_node, where + ".collection_type"));
  auto parsed = codec::CollectionTypeFromName(type);
  if (!parsed) return Bad(where, "unknown collection_type '" + codec::Printable(type) + "'");
  c.type = *parsed;
  if (YAML::Node doc = entry["doc"]; doc.IsDefined() && !doc.IsNull()) {
    STARLOG_ASSIGN_OR_RETURN(c.doc, Text(doc, where + ".doc"));
  }
  if (c.type == codec::CollectionType::kChained) {
    STARLOG_ASSIGN_OR_RETURN(YAML::Node children, Need(entry, "children", where));
    if (!children.IsSequence()) return Bad(where, "children is not a list");
    for (const YAML::Node& child : children) {
      // Old files restrict a child to some dataset types ([name, types]); the
      // butler ignores the restriction, and so does this.
      const YAML::Node named = child.IsSequence() && child.size() > 0 ? child[0] : child;
      STARLOG_ASSIGN_OR_RETURN(std::string n, Text(named, where + ".children"));
      c.children.push_back(std::move(n));
    }
  }
  out->collections.push_back(std::move(c));
  return Status::OK();
}

Status Reader::DatasetType(const YAML::Node& entry, const std::string& where, ButlerExport* out) {
  codec::RegisterDatasetType t;
  STARLOG_ASSIGN_OR_RETURN(YAML::Node name, Need(entry, "name", where));
  STARLOG_ASSIGN_OR_RETURN(t.name, Text(name, where + ".name"));
  STARLOG_ASSIGN_OR_RETURN(YAML::Node dims, Need(entry, "dimensions", where));
  if (!dims.IsSequence()) return Bad(where, "dimensions is not a list");
  for (const YAML::Node& d : dims) {
    STARLOG_ASSIGN_OR_RETURN(std::string dim, Text(d, where + ".dimensions"));
    t.dimensions.push_back(std::move(dim));
  }
  STARLOG_ASSIGN_OR_RETURN(YAML::Node sc, Need(entry, "storage_class", where));
  STARLOG_ASSIGN_OR_RETURN(t.storage_class, Text(sc, where + ".storage_class"));
  if (YAML::Node cal = entry["is_calibration"]; cal.IsDefined() && !cal.IsNull()) {
    STARLOG_ASSIGN_OR_RETURN(std::string b, Text(cal, where + ".is_calibration"));
    if (b != "true" && b != "false" && b != "True" && b != "False") {
      return Bad(where, "is_calibration is true or false");
    }
    t.is_calibration = b == "true" || b == "True";
  }
  out->dataset_types.push_back(std::move(t));
  return Status::OK();
}

Status Reader::Datasets(const YAML::Node& entry, const std::string& where, ButlerExport* out) {
  ButlerDatasets d;
  STARLOG_ASSIGN_OR_RETURN(YAML::Node type, Need(entry, "dataset_type", where));
  STARLOG_ASSIGN_OR_RETURN(d.dataset_type, Text(type, where + ".dataset_type"));
  STARLOG_ASSIGN_OR_RETURN(YAML::Node run, Need(entry, "run", where));
  STARLOG_ASSIGN_OR_RETURN(d.run, Text(run, where + ".run"));
  STARLOG_ASSIGN_OR_RETURN(YAML::Node records, Need(entry, "records", where));
  if (!records.IsSequence()) return Bad(where, "records is not a list");
  size_t i = 0;
  for (const YAML::Node& r : records) {
    const std::string at = where + " (dataset record " + std::to_string(i++) + ")";
    if (!r.IsMap()) return Bad(at, "a dataset record is a mapping");
    ButlerFile f;
    STARLOG_ASSIGN_OR_RETURN(YAML::Node ids, Need(r, "dataset_id", at));
    STARLOG_ASSIGN_OR_RETURN(f.ids, Ids(ids, at + ".dataset_id"));
    STARLOG_ASSIGN_OR_RETURN(YAML::Node data_ids, Need(r, "data_id", at));
    for (const YAML::Node& n : Items(data_ids)) {
      STARLOG_ASSIGN_OR_RETURN(codec::FieldMap data_id, DataId(n, at + ".data_id"));
      f.data_ids.push_back(std::move(data_id));
    }
    if (f.ids.size() != f.data_ids.size()) {
      return Bad(at, std::to_string(f.ids.size()) + " dataset ids for " +
                         std::to_string(f.data_ids.size()) + " data IDs");
    }
    if (YAML::Node path = r["path"]; path.IsDefined() && !path.IsNull()) {
      STARLOG_ASSIGN_OR_RETURN(f.path, Text(path, at + ".path"));
    }
    d.files.push_back(std::move(f));
  }
  out->datasets.push_back(std::move(d));
  return Status::OK();
}

Status Reader::Associations(const YAML::Node& entry, const std::string& where, ButlerExport* out) {
  ButlerAssociations a;
  STARLOG_ASSIGN_OR_RETURN(YAML::Node name, Need(entry, "collection", where));
  STARLOG_ASSIGN_OR_RETURN(a.collection, Text(name, where + ".collection"));
  STARLOG_ASSIGN_OR_RETURN(YAML::Node type_node, Need(entry, "collection_type", where));
  STARLOG_ASSIGN_OR_RETURN(std::string type, Text(type_node, where + ".collection_type"));
  if (type == "TAGGED") {
    a.type = codec::CollectionType::kTagged;
    STARLOG_ASSIGN_OR_RETURN(YAML::Node ids, Need(entry, "dataset_ids", where));
    STARLOG_ASSIGN_OR_RETURN(a.ids, Ids(ids, where + ".dataset_ids"));
  } else if (type == "CALIBRATION") {
    a.type = codec::CollectionType::kCalibration;
    STARLOG_ASSIGN_OR_RETURN(YAML::Node ranges, Need(entry, "validity_ranges", where));
    if (!ranges.IsSequence()) return Bad(where, "validity_ranges is not a list");
    size_t i = 0;
    for (const YAML::Node& r : ranges) {
      const std::string at = where + " (validity range " + std::to_string(i++) + ")";
      if (!r.IsMap()) return Bad(at, "a validity range is a mapping");
      ButlerValidity v;
      if (YAML::Node span = r["timespan"]; span.IsDefined()) {
        if (span.IsScalar() && span.Scalar() == "EMPTY") return Bad(at, "the timespan is EMPTY");
        if (!span.IsMap() || (span.Tag() != kTimespanTag && span.Tag() != "?")) {
          return Bad(at, "a timespan is a mapping tagged " + std::string(kTimespanTag));
        }
        STARLOG_ASSIGN_OR_RETURN(v.timespan, Span(span["begin"], span["end"], at + ".timespan"));
      } else {
        STARLOG_ASSIGN_OR_RETURN(v.timespan, Span(r["begin"], r["end"], at));
      }
      STARLOG_ASSIGN_OR_RETURN(YAML::Node ids, Need(r, "dataset_ids", at));
      STARLOG_ASSIGN_OR_RETURN(v.ids, Ids(ids, at + ".dataset_ids"));
      a.validity_ranges.push_back(std::move(v));
    }
  } else {
    return Bad(where,
               "associations are TAGGED or CALIBRATION, not '" + codec::Printable(type) + "'");
  }
  out->associations.push_back(std::move(a));
  return Status::OK();
}

Result<ButlerExport> Reader::Read(const YAML::Node& root) {
  if (!root.IsMap()) return Bad("the file", "is not a YAML mapping");
  STARLOG_ASSIGN_OR_RETURN(YAML::Node version_node, Need(root, "version", "the file"));
  STARLOG_ASSIGN_OR_RETURN(std::string version, Text(version_node, "version"));
  // As the butler: version 0 is 1.0.0; another major, or a newer minor, is
  // a format this reader does not know.
  if (version != "0" && version.rfind("1.0.", 0) != 0 && version != "1.0") {
    return Status::NotSupported("butler export version " + codec::Printable(version) +
                                "; this build reads 0 and 1.0.x");
  }
  ButlerExport out;
  STARLOG_ASSIGN_OR_RETURN(YAML::Node data, Need(root, "data", "the file"));
  if (!data.IsSequence()) return Bad("data", "is not a list");
  size_t i = 0;
  for (const YAML::Node& entry : data) {
    const std::string where = "data[" + std::to_string(i++) + "]";
    STARLOG_RETURN_IF_ERROR(Visit(where));
    if (!entry.IsMap()) return Bad(where, "is not a mapping");
    STARLOG_ASSIGN_OR_RETURN(YAML::Node type_node, Need(entry, "type", where));
    STARLOG_ASSIGN_OR_RETURN(std::string type, Text(type_node, where + ".type"));
    if (type == "dimension") {
      STARLOG_RETURN_IF_ERROR(Dimension(entry, where, &out));
    } else if (type == "collection") {
      STARLOG_RETURN_IF_ERROR(Collection(entry, where, &out));
    } else if (type == "run") {
      STARLOG_ASSIGN_OR_RETURN(YAML::Node name, Need(entry, "name", where));
      ButlerCollection run;
      STARLOG_ASSIGN_OR_RETURN(run.name, Text(name, where + ".name"));
      out.collections.push_back(std::move(run));
    } else if (type == "dataset_type") {
      STARLOG_RETURN_IF_ERROR(DatasetType(entry, where, &out));
    } else if (type == "dataset") {
      STARLOG_RETURN_IF_ERROR(Datasets(entry, where, &out));
    } else if (type == "associations") {
      STARLOG_RETURN_IF_ERROR(Associations(entry, where, &out));
    } else {
      return Bad(where, "unknown entry type '" + codec::Printable(type) + "'");
    }
  }
  return out;
}

}  // namespace

Result<ButlerExport> ParseButlerExport(std::string_view text, const engine::Universe& universe,
                                       const ButlerReadOptions& options) {
  if (text.size() > kMaxButlerExportBytes) {
    return Status::InvalidArgument("butler export: larger than " +
                                   std::to_string(kMaxButlerExportBytes) + " bytes");
  }
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    Reader reader(universe, options);
    return reader.Read(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("butler export: not valid YAML: " + codec::Printable(e.what()));
  }
}

}  // namespace starlog::ingest
