#include <yaml-cpp/yaml.h>

#include <string>

#include "starlog/codec/time_format.h"
#include "starlog/ingest/butler_yaml.h"

namespace starlog::ingest {

namespace {

// The butler's newest export format version, and the universe version whose
// layout starlog's records follow (day_obs and exposure's group as
// dimensions): an older one would make the butler migrate the records.
constexpr const char* kWrittenVersion = "1.0.2";
constexpr int kWrittenUniverseVersion = 7;

void Time(YAML::Emitter& y, int64_t tai_ns, bool end) {
  if (tai_ns == (end ? codec::kUnboundedEnd : codec::kUnboundedBegin)) {
    y << YAML::Null;
    return;
  }
  std::string iso = codec::FormatIsoTime(tai_ns, 9);
  if (auto t = iso.find('T'); t != std::string::npos) iso[t] = ' ';
  y << YAML::LocalTag("butler_time/tai/iso") << YAML::SingleQuoted << iso;
}

void Id(YAML::Emitter& y, const codec::Uuid& id) {
  y << YAML::LocalTag("uuid") << YAML::SingleQuoted << id.ToString();
}

void Records(YAML::Emitter& y, const ButlerRecords& records, const engine::DimensionElement& e) {
  const std::string own_key = e.key_type == engine::ValueType::kInt ? "id" : "name";
  y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "dimension";
  y << YAML::Key << "element" << YAML::Value << e.name;
  y << YAML::Key << "records" << YAML::Value << YAML::BeginSeq;
  for (const codec::FieldMap& r : records.records) {
    y << YAML::BeginMap;
    for (const auto& [name, value] : r) {
      std::string field = name;
      if (!e.join && name == e.name) field = own_key;
      const bool time = name == "timespan_begin" || name == "timespan_end";
      if (name == "timespan_begin") field = "datetime_begin";
      if (name == "timespan_end") field = "datetime_end";
      y << YAML::Key << field << YAML::Value;
      if (const int64_t* i = std::get_if<int64_t>(&value)) {
        if (time) {
          Time(y, *i, name == "timespan_end");
        } else {
          y << *i;
        }
      } else {
        y << YAML::SingleQuoted << std::get<std::string>(value);
      }
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
}

void Collection(YAML::Emitter& y, const ButlerCollection& c) {
  y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "collection";
  y << YAML::Key << "collection_type" << YAML::Value
    << std::string(codec::CollectionTypeName(c.type));
  y << YAML::Key << "name" << YAML::Value << YAML::SingleQuoted << c.name;
  if (c.doc) y << YAML::Key << "doc" << YAML::Value << YAML::SingleQuoted << *c.doc;
  if (c.type == codec::CollectionType::kRun) {
    y << YAML::Key << "host" << YAML::Value << YAML::Null;
    y << YAML::Key << "timespan_begin" << YAML::Value << YAML::Null;
    y << YAML::Key << "timespan_end" << YAML::Value << YAML::Null;
  } else if (c.type == codec::CollectionType::kChained) {
    y << YAML::Key << "children" << YAML::Value << YAML::BeginSeq;
    for (const std::string& child : c.children) y << YAML::SingleQuoted << child;
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
}

void DatasetType(YAML::Emitter& y, const codec::RegisterDatasetType& t) {
  y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "dataset_type";
  y << YAML::Key << "name" << YAML::Value << YAML::SingleQuoted << t.name;
  y << YAML::Key << "dimensions" << YAML::Value << YAML::BeginSeq;
  for (const std::string& d : t.dimensions) y << d;
  y << YAML::EndSeq;
  y << YAML::Key << "storage_class" << YAML::Value << YAML::SingleQuoted << t.storage_class;
  y << YAML::Key << "is_calibration" << YAML::Value << t.is_calibration << YAML::EndMap;
}

void Datasets(YAML::Emitter& y, const ButlerDatasets& d) {
  y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "dataset";
  y << YAML::Key << "dataset_type" << YAML::Value << YAML::SingleQuoted << d.dataset_type;
  y << YAML::Key << "run" << YAML::Value << YAML::SingleQuoted << d.run;
  y << YAML::Key << "records" << YAML::Value << YAML::BeginSeq;
  for (const ButlerFile& f : d.files) {
    y << YAML::BeginMap << YAML::Key << "dataset_id" << YAML::Value << YAML::BeginSeq;
    for (const codec::Uuid& id : f.ids) Id(y, id);
    y << YAML::EndSeq << YAML::Key << "data_id" << YAML::Value << YAML::BeginSeq;
    for (const codec::FieldMap& data_id : f.data_ids) {
      y << YAML::BeginMap;
      for (const auto& [k, v] : data_id) {
        y << YAML::Key << k << YAML::Value;
        if (const int64_t* i = std::get_if<int64_t>(&v)) {
          y << *i;
        } else {
          y << YAML::SingleQuoted << std::get<std::string>(v);
        }
      }
      y << YAML::EndMap;
    }
    y << YAML::EndSeq;
    if (f.path) y << YAML::Key << "path" << YAML::Value << YAML::SingleQuoted << *f.path;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
}

void Associations(YAML::Emitter& y, const ButlerAssociations& a) {
  y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "associations";
  y << YAML::Key << "collection" << YAML::Value << YAML::SingleQuoted << a.collection;
  y << YAML::Key << "collection_type" << YAML::Value
    << std::string(codec::CollectionTypeName(a.type));
  if (a.type == codec::CollectionType::kTagged) {
    y << YAML::Key << "dataset_ids" << YAML::Value << YAML::BeginSeq;
    for (const codec::Uuid& id : a.ids) Id(y, id);
    y << YAML::EndSeq;
  } else {
    y << YAML::Key << "validity_ranges" << YAML::Value << YAML::BeginSeq;
    for (const ButlerValidity& v : a.validity_ranges) {
      y << YAML::BeginMap << YAML::Key << "timespan" << YAML::Value;
      y << YAML::LocalTag("lsst.daf.butler.Timespan") << YAML::BeginMap;
      y << YAML::Key << "begin" << YAML::Value;
      Time(y, v.timespan.begin, false);
      y << YAML::Key << "end" << YAML::Value;
      Time(y, v.timespan.end, true);
      y << YAML::EndMap << YAML::Key << "dataset_ids" << YAML::Value << YAML::BeginSeq;
      for (const codec::Uuid& id : v.ids) Id(y, id);
      y << YAML::EndSeq << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
}

}  // namespace

std::string WriteButlerExport(const ButlerExport& data, const engine::Universe& universe) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "description" << YAML::Value << "Butler Data Repository Export";
  y << YAML::Key << "version" << YAML::Value << kWrittenVersion;
  y << YAML::Key << "universe_version" << YAML::Value << kWrittenUniverseVersion;
  y << YAML::Key << "universe_namespace" << YAML::Value << "daf_butler";
  y << YAML::Key << "data" << YAML::Value << YAML::BeginSeq;
  // Records in the universe's order, so what a record needs comes first.
  for (const engine::DimensionElement& e : universe.elements()) {
    for (const ButlerRecords& r : data.dimensions) {
      if (r.element == e.name) Records(y, r, e);
    }
  }
  for (const ButlerCollection& c : data.collections) Collection(y, c);
  for (const codec::RegisterDatasetType& t : data.dataset_types) {
    bool written = false;
    for (const ButlerDatasets& d : data.datasets) {
      if (d.dataset_type != t.name) continue;
      if (!written) DatasetType(y, t);
      written = true;
      Datasets(y, d);
    }
    if (!written) DatasetType(y, t);
  }
  for (const ButlerAssociations& a : data.associations) Associations(y, a);
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace starlog::ingest
