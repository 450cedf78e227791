#include "starlog/ingest/bundle.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "ingest/bundle_content.h"
#include "ingest/bundle_lines.h"
#include "ingest/export_selection.h"
#include "ingest/export_sort.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/json_writer.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

// The sort's scratch folder inside the bundle's, removed when it is done.
constexpr char kSortScratch[] = ".export-sort";

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

// A dataset's memberships, to write on its line.
struct Memberships {
  std::vector<std::string> tagged;
  std::vector<std::pair<std::string, codec::Timespan>> certified;
};

// The TAGGED and CALIBRATION collections of the export, by name: a
// dataset's memberships in them are read as it is written (a seek on the
// dataset's memberships, another per certification), not held for all.
class MembershipReader {
 public:
  MembershipReader(const engine::RegistryView& view,
                   const std::map<std::string, engine::CollectionInfo>& collections)
      : view_(view) {
    for (const auto& [name, c] : collections) {
      if (c.type == codec::CollectionType::kTagged ||
          c.type == codec::CollectionType::kCalibration) {
        types_.emplace(name, c.type);
      }
    }
  }

  // Those of "ref", by collection name, then validity; "*count" counts them.
  Result<Memberships> Of(const engine::DatasetRef& ref, size_t* count) const {
    Memberships m;
    if (types_.empty()) return m;
    STARLOG_ASSIGN_OR_RETURN(std::vector<std::string> holders, view_.CollectionsHolding(ref.id));
    std::sort(holders.begin(), holders.end());
    for (std::string& name : holders) {
      auto found = types_.find(name);
      if (found == types_.end()) continue;
      if (found->second == codec::CollectionType::kTagged) {
        m.tagged.push_back(std::move(name));
        ++*count;
        continue;
      }
      STARLOG_ASSIGN_OR_RETURN(std::vector<codec::Timespan> ranges, view_.ValiditiesOf(ref, name));
      std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
        return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
      });
      for (const codec::Timespan& range : ranges) m.certified.emplace_back(name, range);
      *count += ranges.size();
    }
    return m;
  }

 private:
  const engine::RegistryView& view_;
  std::map<std::string, codec::CollectionType> types_;
};

// A dataset as the sort holds it (ExternalSort's value):
//   R16(id) part(type) part(run) part(EncodeDataId(data_id)) u8(has file)
//   [part(path) fixed64(size) hash128(checksum) fixed32(hdu)]
//   part := fixed32(bytes) bytes
void PutPart(std::string* out, std::string_view part) {
  codec::PutFixed32(out, static_cast<uint32_t>(part.size()));
  out->append(part);
}

std::string EncodeSorted(const engine::DatasetRef& ref) {
  std::string out(reinterpret_cast<const char*>(ref.id.bytes.data()), ref.id.bytes.size());
  PutPart(&out, ref.dataset_type);
  PutPart(&out, ref.run);
  PutPart(&out, engine::EncodeDataId(ref.data_id));
  out.push_back(ref.artifact ? 1 : 0);
  if (ref.artifact) {
    PutPart(&out, ref.artifact->path);
    codec::PutFixed64(&out, ref.artifact->size);
    ref.artifact->checksum.AppendTo(&out);
    codec::PutFixed32(&out, ref.artifact->hdu);
  }
  return out;
}

// Reads what EncodeSorted wrote (in a scratch file this export wrote).
class SortedReader {
 public:
  explicit SortedReader(std::string_view in) : in_(in) {}
  bool Take(size_t n, std::string_view* out) {
    if (in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Part(std::string_view* out) {
    std::string_view size;
    return Take(4, &size) && Take(codec::DecodeFixed32(size.data()), out);
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Result<engine::DatasetRef> DecodeSorted(std::string_view value) {
  const Status damaged = Status::Corruption("an export's sort entry is damaged");
  SortedReader in(value);
  engine::DatasetRef ref;
  std::string_view id, type, run, data_id, has_file;
  if (!in.Take(16, &id) || !in.Part(&type) || !in.Part(&run) || !in.Part(&data_id) ||
      !in.Take(1, &has_file)) {
    return damaged;
  }
  std::copy(id.begin(), id.end(), reinterpret_cast<char*>(ref.id.bytes.data()));
  ref.dataset_type = type;
  ref.run = run;
  ref.collection = ref.run;
  STARLOG_ASSIGN_OR_RETURN(ref.data_id, engine::DecodeDataId(data_id));
  if (has_file[0] != 0) {
    std::string_view path, size, checksum, hdu;
    if (!in.Part(&path) || !in.Take(8, &size) || !in.Take(16, &checksum) || !in.Take(4, &hdu)) {
      return damaged;
    }
    ref.artifact =
        codec::Artifact{std::string(path), codec::DecodeFixed64(size.data()),
                        codec::Hash128::Decode(checksum.data()), codec::DecodeFixed32(hdu.data())};
  }
  if (!in.done()) return damaged;
  return ref;
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

void WriteDataset(codec::JsonWriter& w, const engine::DatasetRef& ref, const Memberships& m) {
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
  if (!m.tagged.empty()) {
    w.Key("tagged").BeginArray();
    for (const std::string& c : m.tagged) w.String(c);
    w.EndArray();
  }
  if (!m.certified.empty()) {
    w.Key("certified").BeginArray();
    for (const auto& [collection, validity] : m.certified) {
      w.BeginObject().Key("collection").String(collection);
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
                                  const DatasetSource& source, const std::string& to,
                                  const ExportOptions& options) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return Status::InvalidArgument(to + " exists and is not empty; export into a new folder");
  }
  // In the order import checks them in: one (type, data ID) a run of lines;
  // a dataset found twice has one key, and is written once.
  internal::ExternalSort sorted((fs::path(to) / kSortScratch).string(), options.sort_memory_bytes);
  internal::ExportRegistry registry(view);
  Status failure;
  STARLOG_RETURN_IF_ERROR(source([&](engine::DatasetRef&& ref) {
    if (!failure.ok()) return false;  // A source may go on with its next query.
    failure = registry.Add(ref);
    if (failure.ok()) {
      failure = sorted.Add(internal::DatasetOrderKey(ref.dataset_type, ref.data_id, ref.run),
                           EncodeSorted(ref));
    }
    return failure.ok();
  }));
  STARLOG_RETURN_IF_ERROR(failure);
  internal::ExportSelection selection;
  STARLOG_RETURN_IF_ERROR(registry.Finish(options.collections, &selection));
  // Only now, once the selection is whole: a query that fails leaves no
  // folder in the way of the corrected export (the sort's scratch goes with it).
  fs::create_directories(fs::path(to) / "files", ec);
  if (ec) return Status::IOError("create " + to + ": " + ec.message());
  uint64_t datasets = 0;
  STARLOG_RETURN_IF_ERROR(sorted.ForEach([&](std::string_view, std::string_view) {
    ++datasets;
    return Status::OK();
  }));
  ExportReport report;
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
    w.Key("datasets").Uint(datasets);
    w.EndObject().EndObject();
    STARLOG_RETURN_IF_ERROR(out->Write(w.str()));
  }
  STARLOG_RETURN_IF_ERROR(WriteRegistry(*out, selection, view.universe(), &report));
  selection.records = {};  // Written: released before the datasets are.
  const MembershipReader memberships(view, registry.collections());
  STARLOG_RETURN_IF_ERROR(sorted.ForEach([&](std::string_view, std::string_view value) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetRef ref, DecodeSorted(value));
    STARLOG_ASSIGN_OR_RETURN(Memberships m, memberships.Of(ref, &report.memberships));
    codec::JsonWriter w;
    WriteDataset(w, ref, m);
    STARLOG_RETURN_IF_ERROR(out->Write(Line("dataset", w)));
    if (ref.artifact) {
      const codec::Artifact& a = *ref.artifact;
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
    if (options.progress) options.progress(report.datasets, datasets);
    return Status::OK();
  }));
  STARLOG_RETURN_IF_ERROR(out->Finish());
  return report;
}

Result<ExportReport> ExportBundle(const engine::EventStore& store, const engine::RegistryView& view,
                                  std::vector<engine::DatasetRef> refs, const std::string& to,
                                  const ExportOptions& options) {
  return ExportBundle(
      store, view,
      [&](const engine::RegistryView::DatasetFn& fn) {
        for (engine::DatasetRef& ref : refs) {
          if (!fn(std::move(ref))) break;
        }
        return Status::OK();
      },
      to, options);
}

}  // namespace starlog::ingest
