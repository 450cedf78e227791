#include "cli/dataset_output.h"

#include <set>

#include "cli/table.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/json_writer.h"
#include "starlog/codec/time_format.h"

namespace starlog::cli {

namespace {

void WriteFields(const codec::FieldMap& fields, codec::JsonWriter& j) {
  j.BeginObject();
  for (const auto& [k, v] : fields) {
    j.Key(k);
    if (const auto* s = std::get_if<std::string>(&v)) {
      j.String(*s);
    } else {
      j.Int(std::get<int64_t>(v));
    }
  }
  j.EndObject();
}

std::string Upper(const std::string& name) {
  std::string h;
  for (char ch : name) h.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return h;
}

bool IsTimeField(const std::string& name) {
  return name == "timespan_begin" || name == "timespan_end";
}

}  // namespace

std::vector<std::string> DataIdOrder(const std::vector<codec::FieldMap>& rows,
                                     const engine::Universe& universe,
                                     const engine::DimensionElement* element) {
  std::set<std::string> present;
  for (const auto& r : rows) {
    for (const auto& [k, v] : r) present.insert(k);
  }
  std::vector<std::string> out;
  const auto take = [&](const std::string& k) {
    if (present.erase(k)) out.push_back(k);
  };
  for (const std::string& k :
       universe.DataIdKeyOrder(std::vector<std::string>(present.begin(), present.end()))) {
    take(k);
  }
  if (element != nullptr) {
    for (const engine::DimensionField& f : element->fields) take(f.name);
  }
  for (const std::string& k : present) out.push_back(k);
  return out;
}

std::string DataIdToString(const codec::FieldMap& data_id, const engine::Universe& universe) {
  std::string out;
  for (const std::string& k : DataIdOrder({data_id}, universe)) {
    if (!out.empty()) out += ", ";
    out += k + "=" + codec::FieldValueToString(data_id.at(k));
  }
  return out;
}

codec::FieldMap FullDataId(const engine::DatasetRef& ref) {
  codec::FieldMap full = ref.data_id;
  full.insert(ref.implied.begin(), ref.implied.end());
  full.insert(ref.joined.begin(), ref.joined.end());
  return full;
}

namespace {

void WriteDatasetJson(const engine::DatasetRef& r, codec::JsonWriter& j) {
  j.BeginObject().Key("id").String(r.id.ToString()).Key("dataset_type").String(r.dataset_type);
  j.Key("run").String(r.run).Key("collection").String(r.collection).Key("data_id");
  WriteFields(r.data_id, j);
  j.Key("implied");
  WriteFields(r.implied, j);
  if (!r.joined.empty()) {
    j.Key("joined");
    WriteFields(r.joined, j);
  }
  if (r.artifact) {
    j.Key("path").String(r.artifact->path).Key("size").Uint(r.artifact->size);
    j.Key("checksum").String(r.artifact->checksum.ToHex());
    if (r.artifact->hdu != 0) j.Key("hdu").Uint(r.artifact->hdu);
  }
  if (r.validity) j.Key("validity").String(codec::TimespanToString(*r.validity));
  j.EndObject();
}

void PrintDatasetTable(const std::vector<engine::DatasetRef>& refs,
                       const engine::Universe& universe, Io& io);

// One row of a JSON array written as it comes ("written" counts them): the
// first at once, for whoever reads the pipe; the rest as the stream's
// buffer fills.
void WriteJsonRow(const codec::JsonWriter& row, size_t* written, Io& io) {
  io.out << (*written == 0 ? "[" : ",") << row.str();
  if ((*written)++ == 0) io.out.flush();
}

// The end of the array WriteJsonRow began (or an empty one).
void EndJsonRows(size_t written, Io& io) { io.out << (written == 0 ? "[" : "") << "]\n"; }

}  // namespace

void DatasetPrinter::Add(engine::DatasetRef&& ref) {
  if (!json_) {
    if (!rows_.empty() && rows_.back().dataset_type != ref.dataset_type) {
      if (tables_++ > 0) io_.out << "\n";
      PrintDatasetTable(rows_, universe_, io_);
      rows_.clear();
    }
    rows_.push_back(std::move(ref));
    return;
  }
  row_.Clear();
  WriteDatasetJson(ref, row_);
  WriteJsonRow(row_, &written_, io_);
}

void DatasetPrinter::Finish() {
  if (json_) {
    EndJsonRows(written_, io_);
    return;
  }
  if (tables_ > 0 && rows_.empty()) return;
  if (tables_++ > 0) io_.out << "\n";
  PrintDatasetTable(rows_, universe_, io_);
  rows_.clear();
}

void PrintDatasets(const std::vector<engine::DatasetRef>& refs, const engine::Universe& universe,
                   bool json, Io& io) {
  if (!json) {
    PrintDatasetTable(refs, universe, io);
    return;
  }
  DatasetPrinter printer(universe, json, io);
  for (engine::DatasetRef ref : refs) printer.Add(std::move(ref));
  printer.Finish();
}

namespace {

void PrintDatasetTable(const std::vector<engine::DatasetRef>& refs,
                       const engine::Universe& universe, Io& io) {
  bool any_validity = false, any_path = false;
  std::vector<codec::FieldMap> full_ids;
  for (const auto& r : refs) {
    any_validity |= r.validity.has_value();
    any_path |= r.artifact.has_value();
    full_ids.push_back(FullDataId(r));
  }
  // One column per data ID key, as the butler prints them: required, then
  // implied (and a temporal join's exposure among the required).
  const std::vector<std::string> keys = DataIdOrder(full_ids, universe);
  std::vector<std::string> headers = {"TYPE", "COLLECTION"};
  for (const std::string& k : keys) headers.push_back(Upper(k));
  headers.push_back("ID");
  if (any_validity) headers.push_back("VALID (TAI)");
  if (any_path) headers.push_back("PATH");
  Table t(headers);
  for (size_t i = 0; i < refs.size(); ++i) {
    const auto& r = refs[i];
    std::vector<std::string> row = {r.dataset_type, r.collection};
    for (const std::string& k : keys) {
      auto it = full_ids[i].find(k);
      row.push_back(it == full_ids[i].end() ? "" : codec::FieldValueToString(it->second));
    }
    row.push_back(r.id.ToString());
    if (any_validity) row.push_back(r.validity ? codec::TimespanToString(*r.validity) : "");
    if (any_path) row.push_back(r.artifact ? codec::ArtifactLocation(*r.artifact) : "");
    t.AddRow(std::move(row));
  }
  t.Print(io.out);
}

}  // namespace

void PrintFieldMaps(const std::vector<codec::FieldMap>& rows, const engine::Universe& universe,
                    const engine::DimensionElement* element, bool json, Io& io) {
  if (json) {
    FieldMapPrinter printer(universe, element, true, io);
    for (codec::FieldMap row : rows) printer.Add(std::move(row));
    printer.Finish();
    return;
  }
  const std::vector<std::string> columns = DataIdOrder(rows, universe, element);
  std::vector<std::string> headers;
  for (const auto& c : columns) {
    std::string h = Upper(c);
    if (IsTimeField(c)) h += " (TAI)";
    headers.push_back(h);
  }
  Table t(headers);
  for (const auto& r : rows) {
    std::vector<std::string> row;
    for (const auto& c : columns) {
      auto it = r.find(c);
      if (it == r.end()) {
        row.emplace_back();
      } else if (const auto* ns = std::get_if<int64_t>(&it->second); ns && IsTimeField(c)) {
        row.push_back(codec::FormatIsoTime(*ns));
      } else {
        row.push_back(codec::FieldValueToString(it->second));
      }
    }
    t.AddRow(std::move(row));
  }
  t.Print(io.out);
}

void FieldMapPrinter::Add(codec::FieldMap&& row) {
  if (!json_) {
    rows_.push_back(std::move(row));
    return;
  }
  row_.Clear();
  WriteFields(row, row_);
  WriteJsonRow(row_, &written_, io_);
}

void FieldMapPrinter::Finish() {
  if (json_) {
    EndJsonRows(written_, io_);
    return;
  }
  PrintFieldMaps(rows_, universe_, element_, false, io_);
  rows_.clear();
}

}  // namespace starlog::cli
