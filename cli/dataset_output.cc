#include "cli/dataset_output.h"

#include <set>

#include "cli/table.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/json_writer.h"

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

}  // namespace

void PrintDatasets(const std::vector<engine::DatasetRef>& refs, bool json, Io& io) {
  if (json) {
    codec::JsonWriter j;
    j.BeginArray();
    for (const auto& r : refs) {
      j.BeginObject().Key("id").String(r.id.ToString()).Key("dataset_type").String(r.dataset_type);
      j.Key("run").String(r.run).Key("collection").String(r.collection).Key("data_id");
      WriteFields(r.data_id, j);
      if (r.artifact) {
        j.Key("path").String(r.artifact->path).Key("size").Uint(r.artifact->size);
        j.Key("checksum").String(r.artifact->checksum.ToHex());
      }
      if (r.validity) j.Key("validity").String(codec::TimespanToString(*r.validity));
      j.EndObject();
    }
    j.EndArray();
    io.out << j.str() << "\n";
    return;
  }
  bool any_validity = false, any_path = false;
  for (const auto& r : refs) {
    any_validity |= r.validity.has_value();
    any_path |= r.artifact.has_value();
  }
  std::vector<std::string> headers = {"TYPE", "COLLECTION", "DATA ID", "ID"};
  if (any_validity) headers.push_back("VALID (TAI)");
  if (any_path) headers.push_back("PATH");
  Table t(headers);
  for (const auto& r : refs) {
    std::vector<std::string> row = {r.dataset_type, r.collection,
                                    codec::FieldMapToString(r.data_id), r.id.ToString()};
    if (any_validity) row.push_back(r.validity ? codec::TimespanToString(*r.validity) : "");
    if (any_path) row.push_back(r.artifact ? r.artifact->path : "");
    t.AddRow(std::move(row));
  }
  t.Print(io.out);
}

void PrintFieldMaps(const std::vector<codec::FieldMap>& rows, bool json, Io& io) {
  if (json) {
    codec::JsonWriter j;
    j.BeginArray();
    for (const auto& r : rows) WriteFields(r, j);
    j.EndArray();
    io.out << j.str() << "\n";
    return;
  }
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const auto& r : rows) {
    for (const auto& [k, v] : r) {
      if (seen.insert(k).second) columns.push_back(k);
    }
  }
  std::vector<std::string> headers;
  for (const auto& c : columns) {
    std::string h;
    for (char ch : c) h.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    headers.push_back(h);
  }
  Table t(headers);
  for (const auto& r : rows) {
    std::vector<std::string> row;
    for (const auto& c : columns) {
      auto it = r.find(c);
      row.push_back(it == r.end() ? "" : codec::FieldValueToString(it->second));
    }
    t.AddRow(std::move(row));
  }
  t.Print(io.out);
}

}  // namespace starlog::cli
