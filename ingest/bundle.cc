#include "starlog/ingest/bundle.h"

#include <filesystem>
#include <fstream>

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

void WriteIds(codec::JsonWriter& w, const std::vector<codec::Uuid>& ids) {
  w.Key("ids").BeginArray();
  for (const codec::Uuid& id : ids) w.String(id.ToString());
  w.EndArray();
}

void WriteBound(codec::JsonWriter& w, const char* key, int64_t value, int64_t unbounded) {
  w.Key(key);
  if (value == unbounded) {
    w.Null();
  } else {
    w.Int(value);
  }
}

// Everything but the datasets, which are written with their files.
void WriteRegistry(codec::JsonWriter& w, const internal::ExportSelection& s, ExportReport* report) {
  w.Key("dataset_types").BeginArray();
  for (const codec::RegisterDatasetType& t : s.dataset_types) {
    w.BeginObject().Key("name").String(t.name).Key("dimensions").BeginArray();
    for (const std::string& d : t.dimensions) w.String(d);
    w.EndArray().Key("storage_class").String(t.storage_class);
    w.Key("is_calibration").Bool(t.is_calibration).EndObject();
  }
  w.EndArray();
  w.Key("collections").BeginArray();
  for (const ButlerCollection& c : s.collections) {
    w.BeginObject().Key("name").String(c.name);
    w.Key("type").String(std::string(codec::CollectionTypeName(c.type)));
    w.Key("doc").String(c.doc.value_or(""));
    if (c.type == codec::CollectionType::kChained) {
      w.Key("children").BeginArray();
      for (const std::string& child : c.children) w.String(child);
      w.EndArray();
    }
    w.EndObject();
    ++report->collections;
  }
  w.EndArray();
  w.Key("dimension_records").BeginArray();
  for (const ButlerRecords& r : s.records) {
    for (const codec::FieldMap& record : r.records) {
      w.BeginObject().Key("element").String(r.element).Key("record");
      WriteFields(w, record);
      w.EndObject();
      ++report->records;
    }
  }
  w.EndArray();
}

void WriteMemberships(codec::JsonWriter& w, const internal::ExportSelection& s) {
  w.Key("tagged").BeginArray();
  for (const ButlerAssociations& a : s.associations) {
    if (a.type != codec::CollectionType::kTagged) continue;
    w.BeginObject().Key("collection").String(a.collection);
    WriteIds(w, a.ids);
    w.EndObject();
  }
  w.EndArray();
  w.Key("certifications").BeginArray();
  for (const ButlerAssociations& a : s.associations) {
    for (const ButlerValidity& v : a.validity_ranges) {
      w.BeginObject().Key("collection").String(a.collection);
      WriteBound(w, "begin", v.timespan.begin, codec::kUnboundedBegin);
      WriteBound(w, "end", v.timespan.end, codec::kUnboundedEnd);
      WriteIds(w, v.ids);
      w.EndObject();
    }
  }
  w.EndArray();
}

}  // namespace

Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  const std::vector<engine::DatasetRef>& refs,
                                  const std::string& to, const ExportOptions& options) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return Status::InvalidArgument(to + " exists and is not empty; export into a new folder");
  }
  STARLOG_ASSIGN_OR_RETURN(internal::ExportSelection selection,
                           internal::SelectForExport(view, refs, options.collections));
  ExportReport report;
  report.memberships = selection.memberships;
  codec::JsonWriter w;
  w.BeginObject();
  w.Key("format").String("starlog-bundle");
  w.Key("version").Int(kBundleVersion);
  w.Key("source_repository").String(store.repository_id().ToString());
  w.Key("source_sequence").Uint(view.sequence());
  WriteRegistry(w, selection, &report);
  fs::create_directories(fs::path(to) / "files", ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  w.Key("datasets").BeginArray();
  for (const engine::DatasetRef& ref : selection.datasets) {
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
      const fs::path target = fs::path(to) / "files" / a.path;
      fs::create_directories(target.parent_path(), ec);
      if (!fs::exists(target, ec)) {
        fs::copy_file(fs::path(store.root()) / a.path, target, ec);
        if (ec) return Status::IOError("copy " + a.path + ": " + ec.message());
        ++report.files;
        report.bytes += a.size;
      }
    }
    w.EndObject();
    ++report.datasets;
    if (options.progress) options.progress(report.datasets, selection.datasets.size());
  }
  w.EndArray();
  WriteMemberships(w, selection);
  w.EndObject();
  std::ofstream out(fs::path(to) / "bundle.json");
  out << w.str() << "\n";
  out.flush();
  if (!out) return Status::IOError("cannot write " + to + "/bundle.json");
  return report;
}

}  // namespace starlog::ingest
