#include "starlog/ingest/bundle.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "ingest/bundle_content.h"
#include "ingest/bundle_lines.h"
#include "ingest/export_selection.h"
#include "starlog/codec/json_writer.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

void WriteFields(codec::JsonWriter& w, const codec::FieldMap& fields) {
  w.BeginObject();
  for (const auto& [k, v] : fields) {
    w.Key(k);
    if (const auto* i = std::get_if<int64_t>(&v)) {
      w.Int(*i);
    } else {
      w.String(std::get<std::string>(v));
    }
  }
  w.EndObject();
}

void WriteBound(codec::JsonWriter& w, const char* key, int64_t value, int64_t unbounded) {
  w.Key(key);
  if (value == unbounded) {
    w.Null();
  } else {
    w.Int(value);
  }
}

std::string Line(const char* kind, codec::JsonWriter& item) {
  return std::string("{\"") + kind + "\":" + item.str() + "}";
}

// Each dataset's memberships, to write on its line.
struct Memberships {
  std::vector<const std::string*> tagged;  // Names in the selection's associations.
  std::vector<std::pair<const std::string*, codec::Timespan>> certified;
};

std::map<codec::Uuid, Memberships> MembershipsById(const internal::ExportSelection& s) {
  std::map<codec::Uuid, Memberships> out;
  for (const ButlerAssociations& a : s.associations) {
    if (a.type == codec::CollectionType::kTagged) {
      for (const codec::Uuid& id : a.ids) out[id].tagged.push_back(&a.collection);
    }
    for (const ButlerValidity& v : a.validity_ranges) {
      for (const codec::Uuid& id : v.ids) out[id].certified.emplace_back(&a.collection, v.timespan);
    }
  }
  return out;
}

Status WriteRegistry(internal::BundleLineWriter& out, const internal::ExportSelection& s,
                     const engine::Universe& universe, ExportReport* report) {
  for (const codec::RegisterDatasetType& t : s.dataset_types) {
    codec::JsonWriter w;
    w.BeginObject().Key("name").String(t.name).Key("dimensions").BeginArray();
    for (const std::string& d : t.dimensions) w.String(d);
    w.EndArray().Key("storage_class").String(t.storage_class);
    w.Key("is_calibration").Bool(t.is_calibration).EndObject();
    STARLOG_RETURN_IF_ERROR(out.Write(Line("dataset_type", w)));
  }
  for (const ButlerCollection& c : s.collections) {
    codec::JsonWriter w;
    w.BeginObject().Key("name").String(c.name);
    w.Key("type").String(std::string(codec::CollectionTypeName(c.type)));
    w.Key("doc").String(c.doc.value_or("")).EndObject();
    STARLOG_RETURN_IF_ERROR(out.Write(Line("collection", w)));
    ++report->collections;
  }
  for (const ButlerCollection& c : s.collections) {
    if (c.type != codec::CollectionType::kChained) continue;
    codec::JsonWriter w;
    w.BeginObject().Key("name").String(c.name).Key("children").BeginArray();
    for (const std::string& child : c.children) w.String(child);
    w.EndArray().EndObject();
    STARLOG_RETURN_IF_ERROR(out.Write(Line("chain", w)));
  }
  for (const ButlerRecords& r : s.records) {
    std::vector<std::pair<std::string, const codec::FieldMap*>> by_key;
    for (const codec::FieldMap& record : r.records) {
      STARLOG_ASSIGN_OR_RETURN(std::string key, internal::RecordKey(universe, r.element, record));
      by_key.emplace_back(std::move(key), &record);
    }
    std::sort(by_key.begin(), by_key.end());
    for (const auto& [key, record] : by_key) {
      codec::JsonWriter w;
      w.BeginObject().Key("element").String(r.element).Key("record");
      WriteFields(w, *record);
      w.EndObject();
      STARLOG_RETURN_IF_ERROR(out.Write(Line("dimension_record", w)));
      ++report->records;
    }
  }
  return Status::OK();
}

void WriteDataset(codec::JsonWriter& w, const engine::DatasetRef& ref, const Memberships* m) {
  w.BeginObject();
  w.Key("id").String(ref.id.ToString());
  w.Key("dataset_type").String(ref.dataset_type);
  w.Key("run").String(ref.run);
  w.Key("data_id");
  WriteFields(w, ref.data_id);
  if (ref.artifact) {
    const codec::Artifact& a = *ref.artifact;
    w.Key("path").String(a.path).Key("size").Uint(a.size);
    w.Key("checksum").String(a.checksum.ToHex());
    if (a.hdu != 0) w.Key("hdu").Uint(a.hdu);
  }
  if (m != nullptr && !m->tagged.empty()) {
    w.Key("tagged").BeginArray();
    for (const std::string* c : m->tagged) w.String(*c);
    w.EndArray();
  }
  if (m != nullptr && !m->certified.empty()) {
    w.Key("certified").BeginArray();
    for (const auto& [collection, validity] : m->certified) {
      w.BeginObject().Key("collection").String(*collection);
      WriteBound(w, "begin", validity.begin, codec::kUnboundedBegin);
      WriteBound(w, "end", validity.end, codec::kUnboundedEnd);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  std::vector<engine::DatasetRef> refs, const std::string& to,
                                  const ExportOptions& options) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return Status::InvalidArgument(to + " exists and is not empty; export into a new folder");
  }
  STARLOG_ASSIGN_OR_RETURN(internal::ExportSelection selection,
                           internal::SelectForExport(view, std::move(refs), options.collections));
  ExportReport report;
  report.memberships = selection.memberships;
  fs::create_directories(fs::path(to) / "files", ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  STARLOG_ASSIGN_OR_RETURN(auto out, internal::BundleLineWriter::Create(
                                         (fs::path(to) / internal::kBundleLinesFile).string()));
  {
    size_t records = 0, chains = 0;
    for (const ButlerRecords& r : selection.records) records += r.records.size();
    for (const ButlerCollection& c : selection.collections) {
      chains += c.type == codec::CollectionType::kChained;
    }
    codec::JsonWriter w;
    w.BeginObject();
    w.Key("format").String("starlog-bundle");
    w.Key("version").Int(kBundleVersion);
    w.Key("source_repository").String(store.repository_id().ToString());
    w.Key("source_sequence").Uint(view.sequence());
    w.Key("counts").BeginObject();
    w.Key("dataset_types").Uint(selection.dataset_types.size());
    w.Key("collections").Uint(selection.collections.size());
    w.Key("chains").Uint(chains);
    w.Key("dimension_records").Uint(records);
    w.Key("datasets").Uint(selection.datasets.size());
    w.EndObject().EndObject();
    STARLOG_RETURN_IF_ERROR(out->Write(w.str()));
  }
  STARLOG_RETURN_IF_ERROR(WriteRegistry(*out, selection, view.universe(), &report));
  // In the order import checks them in: one (type, data ID) a run of lines.
  std::vector<std::pair<std::string, const engine::DatasetRef*>> order;
  order.reserve(selection.datasets.size());
  for (const engine::DatasetRef& ref : selection.datasets) {
    order.emplace_back(internal::DatasetOrderKey(ref.dataset_type, ref.data_id, ref.run), &ref);
  }
  std::sort(order.begin(), order.end());
  const std::map<codec::Uuid, Memberships> memberships = MembershipsById(selection);
  for (const auto& [key, ref] : order) {
    auto m = memberships.find(ref->id);
    codec::JsonWriter w;
    WriteDataset(w, *ref, m == memberships.end() ? nullptr : &m->second);
    STARLOG_RETURN_IF_ERROR(out->Write(Line("dataset", w)));
    if (ref->artifact) {
      const codec::Artifact& a = *ref->artifact;
      const fs::path target = fs::path(to) / "files" / a.path;
      fs::create_directories(target.parent_path(), ec);
      if (!fs::exists(target, ec)) {
        fs::copy_file(fs::path(store.root()) / a.path, target, ec);
        if (ec) return Status::IOError("copy " + a.path + ": " + ec.message());
        ++report.files;
        report.bytes += a.size;
      }
    }
    ++report.datasets;
    if (options.progress) options.progress(report.datasets, selection.datasets.size());
  }
  STARLOG_RETURN_IF_ERROR(out->Finish());
  return report;
}

}  // namespace starlog::ingest
