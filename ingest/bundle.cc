#include "starlog/ingest/bundle.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "starlog/codec/json_reader.h"
#include "starlog/codec/json_writer.h"
#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/names.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/fits_header.h"

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

Result<codec::FieldMap> ReadFields(const codec::JsonValue& v, const std::string& what) {
  if (v.kind != codec::JsonValue::Kind::kObject) {
    return Status::Corruption("bundle: " + what + " is not an object");
  }
  codec::FieldMap out;
  for (size_t i = 0; i < v.names.size(); ++i) {
    const codec::JsonValue& x = v.values[i];
    if (x.kind == codec::JsonValue::Kind::kInt) {
      out.emplace(v.names[i], x.integer);
    } else if (x.kind == codec::JsonValue::Kind::kString) {
      out.emplace(v.names[i], x.text);
    } else {
      return Status::Corruption("bundle: " + what + "." + v.names[i] +
                                " is neither int nor string");
    }
  }
  return out;
}

const codec::JsonValue& Member(const codec::JsonValue& v, const char* key) {
  static const codec::JsonValue null;
  const codec::JsonValue* m = v.Find(key);
  return m == nullptr ? null : *m;
}

// Adds the record of "element" for "data_id", and those its record implies.
Status CollectRecords(const engine::RegistryView& view, const std::string& element,
                      const codec::FieldMap& data_id,
                      std::map<std::string, std::map<std::string, codec::FieldMap>>* out) {
  STARLOG_ASSIGN_OR_RETURN(auto record, view.GetDimensionRecord(element, data_id));
  if (!record) return Status::OK();
  auto& of_element = (*out)[element];
  if (!of_element.emplace(engine::EncodeDataId(*record), *record).second) return Status::OK();
  const engine::DimensionElement* e = view.universe().Find(element);
  for (const std::string& required : e->required) {
    STARLOG_RETURN_IF_ERROR(CollectRecords(view, required, *record, out));
  }
  for (const std::string& implied : e->implies) {
    if (record->count(implied) != 0) {
      STARLOG_RETURN_IF_ERROR(CollectRecords(view, implied, *record, out));
    }
  }
  return Status::OK();
}

}  // namespace

Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  const std::vector<engine::DatasetRef>& refs,
                                  const std::string& to, const engine::ProgressFn& progress) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return Status::InvalidArgument(to + " exists and is not empty; export into a new folder");
  }
  ExportReport report;
  std::map<std::string, std::map<std::string, codec::FieldMap>> records;
  std::set<std::string> types, runs;
  for (const engine::DatasetRef& ref : refs) {
    if (!ref.artifact) {
      return Status::InvalidArgument("dataset " + ref.id.ToString() + " has no file to export");
    }
    types.insert(ref.dataset_type);
    runs.insert(ref.run);
    for (const auto& [key, value] : ref.data_id) {
      (void)value;
      STARLOG_RETURN_IF_ERROR(CollectRecords(view, key, ref.data_id, &records));
    }
  }
  codec::JsonWriter w;
  w.BeginObject();
  w.Key("format").String("starlog-bundle");
  w.Key("version").Int(kBundleVersion);
  w.Key("source_repository").String(store.repository_id().ToString());
  w.Key("source_sequence").Uint(view.sequence());
  w.Key("dataset_types").BeginArray();
  for (const std::string& name : types) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetTypeInfo info, view.GetDatasetType(name));
    w.BeginObject().Key("name").String(info.name).Key("dimensions").BeginArray();
    for (const std::string& d : info.dimensions) w.String(d);
    w.EndArray().Key("storage_class").String(info.storage_class);
    w.Key("is_calibration").Bool(info.is_calibration).EndObject();
  }
  w.EndArray();
  w.Key("runs").BeginArray();
  for (const std::string& run : runs) {
    STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(run));
    w.BeginObject().Key("name").String(run).Key("doc").String(info ? info->doc : "").EndObject();
  }
  w.EndArray();
  // In universe order, so an import inserts what others refer to first.
  w.Key("dimension_records").BeginArray();
  for (const engine::DimensionElement& e : view.universe().elements()) {
    auto found = records.find(e.name);
    if (found == records.end()) continue;
    for (const auto& [key, record] : found->second) {
      w.BeginObject().Key("element").String(e.name).Key("record");
      WriteFields(w, record);
      w.EndObject();
      ++report.records;
    }
  }
  w.EndArray();
  fs::create_directories(fs::path(to) / "files", ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  w.Key("datasets").BeginArray();
  for (const engine::DatasetRef& ref : refs) {
    const codec::Artifact& a = *ref.artifact;
    w.BeginObject();
    w.Key("id").String(ref.id.ToString());
    w.Key("dataset_type").String(ref.dataset_type);
    w.Key("run").String(ref.run);
    w.Key("data_id");
    WriteFields(w, ref.data_id);
    w.Key("path")
        .String(a.path)
        .Key("size")
        .Uint(a.size)
        .Key("checksum")
        .String(a.checksum.ToHex());
    if (a.hdu != 0) w.Key("hdu").Uint(a.hdu);
    w.EndObject();
    const fs::path target = fs::path(to) / "files" / a.path;
    fs::create_directories(target.parent_path(), ec);
    if (!fs::exists(target, ec)) {
      fs::copy_file(fs::path(store.root()) / a.path, target, ec);
      if (ec) return Status::IOError("copy " + a.path + ": " + ec.message());
      ++report.files;
      report.bytes += a.size;
    }
    ++report.datasets;
    if (progress) progress(report.datasets, refs.size());
  }
  w.EndArray();
  w.EndObject();
  std::ofstream out(fs::path(to) / "bundle.json");
  out << w.str() << "\n";
  out.flush();
  if (!out) return Status::IOError("cannot write " + to + "/bundle.json");
  return report;
}

Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const std::string& actor) {
  return ImportBundle(store, from, mode, LocalFileSink(store, actor));
}

Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const FileSink& sink,
                                  const engine::ProgressFn& progress) {
  if (mode == TransferMode::kDirect) {
    return Status::InvalidArgument(
        "a bundle's files are outside the repository: use copy, move, "
        "hardlink or symlink");
  }
  std::ifstream in(fs::path(from) / "bundle.json");
  if (!in) return Status::NotFound("no bundle.json in " + from);
  std::stringstream text;
  text << in.rdbuf();
  STARLOG_ASSIGN_OR_RETURN(codec::JsonValue bundle, codec::ParseJson(text.str()));
  if (Member(bundle, "format").text != "starlog-bundle") {
    return Status::InvalidArgument(from + " is not a starlog bundle");
  }
  if (Member(bundle, "version").integer != kBundleVersion) {
    return Status::NotSupported("bundle version " +
                                std::to_string(Member(bundle, "version").integer) +
                                "; this build reads version " + std::to_string(kBundleVersion));
  }
  // Every file checked before anything changes.
  struct Entry {
    codec::Uuid id;
    std::string type, run;
    codec::FieldMap data_id;
    codec::Artifact artifact;
  };
  std::vector<Entry> entries;
  const std::string files = (fs::path(from) / "files").string();
  const size_t in_all = Member(bundle, "datasets").array.size();
  for (const codec::JsonValue& d : Member(bundle, "datasets").array) {
    Entry e;
    STARLOG_ASSIGN_OR_RETURN(e.id, codec::Uuid::Parse(Member(d, "id").text));
    e.type = Member(d, "dataset_type").text;
    e.run = Member(d, "run").text;
    STARLOG_ASSIGN_OR_RETURN(e.data_id, ReadFields(Member(d, "data_id"), "data_id"));
    e.artifact.path = Member(d, "path").text;
    e.artifact.size = static_cast<uint64_t>(Member(d, "size").integer);
    STARLOG_ASSIGN_OR_RETURN(e.artifact.checksum,
                             codec::Hash128::FromHex(Member(d, "checksum").text));
    // Absent for a whole file; a dataset of one HDU of a shared file has it.
    const codec::JsonValue& hdu_value = Member(d, "hdu");
    const int64_t hdu = hdu_value.integer;
    if (hdu_value.kind != codec::JsonValue::Kind::kInt &&
        hdu_value.kind != codec::JsonValue::Kind::kNull) {
      return Status::InvalidArgument("bundle dataset " + e.id.ToString() +
                                     ": hdu is not an integer");
    }
    if (hdu < 0 || static_cast<uint64_t>(hdu) >= kMaxHdus) {
      return Status::InvalidArgument("bundle dataset " + e.id.ToString() + ": hdu " +
                                     std::to_string(hdu) + " is out of range");
    }
    e.artifact.hdu = static_cast<uint32_t>(hdu);
    const std::string where = "bundle dataset " + e.id.ToString();
    STARLOG_RETURN_IF_ERROR(engine::ValidateCollectionName(e.run).WithContext(where));
    STARLOG_RETURN_IF_ERROR(engine::ValidateDatasetTypeName(e.type).WithContext(where));
    // The path names a file in the bundle and one in the repository: both
    // must stay where they belong before either is read or written.
    STARLOG_RETURN_IF_ERROR(
        engine::CheckTargetInRoot(store.root(), e.artifact.path).WithContext(where));
    auto source = engine::ResolveFileInRoot(files, e.artifact.path);
    if (!source.ok() && !source.status().IsNotFound()) {
      return source.status().WithContext(where + " (in the bundle)");
    }
    auto there = source.ok() ? engine::DescribeFile(files, e.artifact.path) : source.status();
    if (!there.ok() || there->size != e.artifact.size || there->checksum != e.artifact.checksum) {
      return Status::Corruption(
          "bundle file " + codec::Printable(e.artifact.path) +
          (there.ok() ? " does not match its size and checksum" : " is missing") +
          "; nothing was imported");
    }
    entries.push_back(std::move(e));
    if (progress) progress(entries.size(), in_all);
  }
  for (const codec::JsonValue& t : Member(bundle, "dataset_types").array) {
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateDatasetTypeName(Member(t, "name").text).WithContext("bundle"));
  }
  for (const codec::JsonValue& r : Member(bundle, "runs").array) {
    STARLOG_RETURN_IF_ERROR(
        engine::ValidateCollectionName(Member(r, "name").text).WithContext("bundle"));
  }
  // Everything the bundle adds goes in one atomic write, after its files are
  // in place: a refusal anywhere leaves the registry as it was and removes
  // the files placed for it.
  ImportReport report;
  std::vector<codec::EventBody> additions;
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  for (const codec::JsonValue& t : Member(bundle, "dataset_types").array) {
    codec::RegisterDatasetType type{Member(t, "name").text,
                                    {},
                                    Member(t, "storage_class").text,
                                    Member(t, "is_calibration").boolean};
    for (const codec::JsonValue& d : Member(t, "dimensions").array)
      type.dimensions.push_back(d.text);
    if (view.GetDatasetType(type.name).ok()) continue;  // Append checks an existing one agrees.
    additions.emplace_back(std::move(type));
  }
  for (const codec::JsonValue& r : Member(bundle, "runs").array) {
    STARLOG_ASSIGN_OR_RETURN(auto there, view.GetCollection(Member(r, "name").text));
    if (there) continue;
    additions.emplace_back(codec::CreateCollection{
        Member(r, "name").text, codec::CollectionType::kRun, Member(r, "doc").text});
  }
  // Records, in the bundle's order (the universe's), one event per element.
  std::vector<codec::InsertDimensionRecords> inserts;
  for (const codec::JsonValue& r : Member(bundle, "dimension_records").array) {
    const std::string element = Member(r, "element").text;
    STARLOG_ASSIGN_OR_RETURN(codec::FieldMap record, ReadFields(Member(r, "record"), element));
    STARLOG_ASSIGN_OR_RETURN(auto there, view.GetDimensionRecord(element, record));
    if (there) continue;
    if (inserts.empty() || inserts.back().element != element) {
      inserts.push_back(codec::InsertDimensionRecords{element, {}, false});
    }
    inserts.back().records.push_back(std::move(record));
  }
  for (auto& insert : inserts) {
    report.records_inserted += insert.records.size();
    additions.emplace_back(std::move(insert));
  }
  // The events registering the datasets, by run and type, each file naming
  // its entry.
  std::map<std::pair<std::string, std::string>, std::vector<const Entry*>> by_key;
  for (const Entry& e : entries) {
    STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDataset(e.id));
    if (existing) {
      if (existing->artifact == e.artifact) {
        ++report.already_present;
        continue;
      }
      return Status::Conflict("dataset " + e.id.ToString() +
                              " is already in the repository with another file");
    }
    by_key[{e.run, e.type}].push_back(&e);
  }
  FileBatch batch;
  batch.mode = mode;
  batch.all_or_nothing = true;
  batch.bodies = std::move(additions);
  for (const auto& [key, of_key] : by_key) {
    codec::RegisterDatasets event;
    event.run = key.first;
    event.dataset_type = key.second;
    for (const Entry* e : of_key) {
      batch.files.push_back(BatchFile{(fs::path(files) / e->artifact.path).string(),
                                      e->artifact.path,
                                      {BatchEntry{batch.bodies.size(), event.datasets.size()}}});
      event.datasets.push_back(codec::DatasetEntry{e->id, e->data_id, e->artifact});
      ++report.datasets;
    }
    batch.bodies.emplace_back(std::move(event));
  }
  auto placed = sink(std::move(batch));
  if (!placed.ok()) return placed.status().WithContext("nothing was imported");
  report.first_event = placed->first_event;
  report.last_event = placed->last_event;
  return report;
}

}  // namespace starlog::ingest
