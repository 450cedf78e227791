#pragma once

// Datasets, data IDs and records as tables for people or JSON for scripts.

#include <cstddef>
#include <vector>

#include "cli/args.h"
#include "starlog/codec/json_writer.h"
#include "starlog/engine/registry_view.h"

namespace starlog::cli {

// One column per key of the full data IDs (required, implied, a temporal
// join's exposure: DatasetRef), in data-ID order (DataIdOrder); in JSON
// "data_id" (required), "implied" and, for a temporal join, "joined".
void PrintDatasets(const std::vector<engine::DatasetRef>& refs, const engine::Universe& universe,
                   bool json, Io& io);
// PrintDatasets one row at a time: in JSON each row is written as it comes
// (the array opened before the first, closed by Finish), so the first row
// shows at once and nothing is held; a table needs every row for its column
// widths, so it keeps them until Finish, or until a row of another dataset
// type begins the next table (one table per type, a blank line between, as
// the butler prints them).
class DatasetPrinter {
 public:
  // "universe" and "io" must outlive the printer.
  DatasetPrinter(const engine::Universe& universe, bool json, Io& io)
      : universe_(universe), json_(json), io_(io) {}
  void Add(engine::DatasetRef&& ref);
  // Ends the output; call once, after the last Add.
  void Finish();

 private:
  const engine::Universe& universe_;
  bool json_;
  Io& io_;
  size_t written_ = 0;                    // JSON rows written.
  codec::JsonWriter row_;                 // The JSON row being written.
  size_t tables_ = 0;                     // Tables printed.
  std::vector<engine::DatasetRef> rows_;  // A table's rows, until it is printed.
};
// Field maps (data IDs, or records of "element" when given) with one column
// per key, in data-ID order. In tables the records' timespan_begin and
// timespan_end (TAI nanoseconds) are shown as ISO times, labelled TAI.
void PrintFieldMaps(const std::vector<codec::FieldMap>& rows, const engine::Universe& universe,
                    const engine::DimensionElement* element, bool json, Io& io);
// PrintFieldMaps one row at a time, as DatasetPrinter: in JSON each row is
// written as it comes; a table keeps its rows until Finish, for its columns.
class FieldMapPrinter {
 public:
  // "universe", "element" (when given) and "io" must outlive the printer.
  FieldMapPrinter(const engine::Universe& universe, const engine::DimensionElement* element,
                  bool json, Io& io)
      : universe_(universe), element_(element), json_(json), io_(io) {}
  void Add(codec::FieldMap&& row);
  // Ends the output; call once, after the last Add.
  void Finish();

 private:
  const engine::Universe& universe_;
  const engine::DimensionElement* element_;
  bool json_;
  Io& io_;
  size_t written_ = 0;                 // JSON rows written.
  codec::JsonWriter row_;              // The JSON row being written.
  std::vector<codec::FieldMap> rows_;  // A table's rows, until it is printed.
};

// The keys of "rows" in data-ID order: the required dimensions in the
// universe's order (instrument first, each after what it requires), then the
// implied ones (Universe::DataIdKeyOrder), then the fields of
// "element" (if given) as it declares them, then any others by name.
std::vector<std::string> DataIdOrder(const std::vector<codec::FieldMap>& rows,
                                     const engine::Universe& universe,
                                     const engine::DimensionElement* element = nullptr);
// "instrument=HSC, detector=50, exposure=7" in data-ID order.
std::string DataIdToString(const codec::FieldMap& data_id, const engine::Universe& universe);
// A dataset's data ID with its implied values and a temporal join's row.
codec::FieldMap FullDataId(const engine::DatasetRef& ref);

}  // namespace starlog::cli
