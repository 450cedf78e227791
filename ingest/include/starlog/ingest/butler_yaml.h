#pragma once

// The Gen3 butler's export file (daf_butler's transfers/_yaml.py, format
// version 1.0.x, and the older version 0), read into values starlog can
// register and written back from them. The layout, as the butler writes it:
//
//   description: Butler Data Repository Export
//   version: 1.0.2                      # 0 and 1.0.x are read; 1.0.2 is written
//   universe_version: 7
//   universe_namespace: daf_butler
//   data:                               # in this order when written
//   - {type: dimension, element: E, records: [{FIELD: VALUE, ...}, ...]}
//   - {type: collection, collection_type: RUN|TAGGED|CALIBRATION|CHAINED,
//      name: N, doc: D, host: null, timespan_begin: null, timespan_end: null,
//      children: [C, ...]}              # host/timespan: RUN; children: CHAINED
//   - {type: run, name: N}              # version 0's RUN
//   - {type: dataset_type, name: T, dimensions: [D, ...], storage_class: S,
//      is_calibration: B}
//   - {type: dataset, dataset_type: T, run: R,
//      records: [{dataset_id: [!uuid ID, ...], data_id: [{K: V}, ...],
//                 path: P, formatter: F}]}   # one record per file; lists or single values
//   - {type: associations, collection: C, collection_type: TAGGED, dataset_ids: [ID, ...]}
//   - {type: associations, collection: C, collection_type: CALIBRATION,
//      validity_ranges: [{timespan: !lsst.daf.butler.Timespan {begin: T0, end: T1},
//                         dataset_ids: [ID, ...]}]}   # or {begin, end, dataset_ids}
//
// Times are "!butler_time/tai/iso 'YYYY-MM-DD HH:MM:SS.fffffffff'" (TAI), null
// for an unbounded end; an untagged YAML timestamp is UTC, as older files
// wrote it. A record's key is "id" (integer keys) or "name" (string keys), as
// in the butler's tables; starlog calls it by its element's name. A record's
// "datetime_begin"/"datetime_end" are starlog's "timespan_begin"/"timespan_end"
// (TAI ns). Null values are absent fields.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/universe.h"
#include "starlog/result.h"

namespace starlog::ingest {

// Larger export files are refused before they are read.
inline constexpr size_t kMaxButlerExportBytes = size_t{1} << 30;
inline constexpr std::string_view kButlerExportFileName = "export.yaml";

struct ButlerRecords {
  std::string element;
  std::vector<codec::FieldMap> records;  // Keys and fields by starlog's names.
};

struct ButlerCollection {
  std::string name;
  codec::CollectionType type = codec::CollectionType::kRun;
  std::optional<std::string> doc;
  std::vector<std::string> children;  // CHAINED only, in search order.
};

// One file and the datasets it holds (several when one file holds several
// data IDs, as a multi-extension file does), or datasets with no file.
struct ButlerFile {
  std::vector<codec::Uuid> ids;
  std::vector<codec::FieldMap> data_ids;  // Parallel to "ids".
  std::optional<std::string> path;        // Relative to the export's folder.
};

struct ButlerDatasets {
  std::string dataset_type;
  std::string run;
  std::vector<ButlerFile> files;
};

struct ButlerValidity {
  codec::Timespan timespan;
  std::vector<codec::Uuid> ids;
};

struct ButlerAssociations {
  std::string collection;
  codec::CollectionType type = codec::CollectionType::kTagged;  // TAGGED or CALIBRATION.
  std::vector<codec::Uuid> ids;                                 // TAGGED.
  std::vector<ButlerValidity> validity_ranges;                  // CALIBRATION.
};

// An export file's content, each list in the file's order.
struct ButlerExport {
  std::vector<ButlerRecords> dimensions;
  std::vector<ButlerCollection> collections;
  std::vector<codec::RegisterDatasetType> dataset_types;
  std::vector<ButlerDatasets> datasets;
  std::vector<ButlerAssociations> associations;
  // ButlerReadOptions::drop_unknown_fields: how many values of each
  // "element.field" were left out.
  std::map<std::string, size_t> dropped_fields = {};
};

struct ButlerReadOptions {
  // Elements whose records are left out, as the butler's skip_dimensions
  // (`butler import --skip-dimensions`). Default: none.
  std::vector<std::string> skip_dimensions;
  // Leave out record fields the universe does not declare, and values it
  // cannot hold (regions, binary hashes), counting them in
  // ButlerExport::dropped_fields, instead of refusing the file. Default: false.
  bool drop_unknown_fields = false;
};

// Parses an export file against "universe". InvalidArgument names what is
// wrong and where (the entry's position in "data", the field): malformed
// YAML, an unsupported version, an unknown entry type, an element the
// universe lacks (unless skipped), a record field it does not declare, a
// value of the wrong type, an integer dataset id (pre-UUID exports). Nothing
// is checked against a repository here; names and paths are, by the importer.
Result<ButlerExport> ParseButlerExport(std::string_view text, const engine::Universe& universe,
                                       const ButlerReadOptions& options = {});

// The export file for "data", in the butler's layout and order (format
// version 1.0.2): records by "universe" order, collections with chains after
// their children, then each dataset type with its datasets, then associations.
std::string WriteButlerExport(const ButlerExport& data, const engine::Universe& universe);

}  // namespace starlog::ingest
