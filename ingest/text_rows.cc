#include "starlog/ingest/text_rows.h"

#include "starlog/codec/csv_reader.h"
#include "starlog/codec/json_reader.h"
#include "starlog/codec/numbers.h"
#include "starlog/codec/time_format.h"

namespace starlog::ingest {

Result<std::vector<TextRow>> ReadTextRows(std::string_view text, bool json) {
  std::vector<TextRow> rows;
  if (!json) {
    STARLOG_ASSIGN_OR_RETURN(codec::CsvTable table, codec::ParseCsv(text));
    for (const auto& r : table.rows) {
      TextRow row;
      for (size_t i = 0; i < r.size(); ++i) row.emplace_back(table.header[i], r[i]);
      rows.push_back(std::move(row));
    }
    return rows;
  }
  STARLOG_ASSIGN_OR_RETURN(codec::JsonValue doc, codec::ParseJson(text));
  if (doc.kind != codec::JsonValue::Kind::kArray) {
    return Status::InvalidArgument("JSON input must be an array of objects");
  }
  for (size_t i = 0; i < doc.array.size(); ++i) {
    const codec::JsonValue& item = doc.array[i];
    if (item.kind != codec::JsonValue::Kind::kObject) {
      return Status::InvalidArgument("JSON item " + std::to_string(i + 1) + " is not an object");
    }
    TextRow row;
    for (size_t m = 0; m < item.names.size(); ++m) {
      const std::string& key = item.names[m];
      const codec::JsonValue& value = item.values[m];
      switch (value.kind) {
        case codec::JsonValue::Kind::kString:
          row.emplace_back(key, value.text);
          break;
        case codec::JsonValue::Kind::kInt:
          row.emplace_back(key, std::to_string(value.integer));
          break;
        default:
          return Status::InvalidArgument("JSON item " + std::to_string(i + 1) + ": '" + key +
                                         "' must be a string or an integer");
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<codec::FieldMap> TypeFields(const engine::Universe& universe,
                                   const engine::DimensionElement* element, const TextRow& row,
                                   const std::set<std::string>& extra, size_t row_number) {
  std::string text;
  for (const auto& [column, value] : row) {
    if (extra.count(column)) continue;
    if (value.find(',') != std::string::npos) {
      return Status::InvalidArgument("row " + std::to_string(row_number) + ": '" + column +
                                     "' contains a comma");
    }
    // A record's timespan may be given as the tables print it, an ISO time
    // (TAI), as well as in TAI nanoseconds.
    std::string typed = value;
    if ((column == "timespan_begin" || column == "timespan_end") && !value.empty() &&
        !codec::ParseInt(value, codec::IntSyntax::kLikeStrtoll)) {
      auto ns = codec::ParseIsoTime(value);
      if (!ns.ok()) {
        return Status::InvalidArgument(
            "row " + std::to_string(row_number) + ": '" + column +
            "' takes TAI nanoseconds or an ISO time: " + std::string(ns.status().message()));
      }
      typed = std::to_string(*ns);
    }
    text += (text.empty() ? "" : ",") + column + "=" + typed;
  }
  auto fields = universe.ParseFields(text, element);
  if (!fields.ok()) {
    return fields.status().WithContext("row " + std::to_string(row_number));
  }
  return fields;
}

}  // namespace starlog::ingest
