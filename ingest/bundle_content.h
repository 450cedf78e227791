#pragma once

// A bundle read into values and checked by itself (names, paths, ids, data
// IDs, timespans, types), before any repository is looked at: what
// bundle_import.cc and bundle_stream_import.cc plan from. A transfer between
// repositories (repository_transfer.h) builds the same content in memory and
// imports it as a bundle.json's. Version 3 (bundle.jsonl, written) is read a
// line at a time (its layout is in ingest/bundle_lines.h); versions 1 and 2
// (bundle.json) whole:
//
// Version 2:
//   {"format": "starlog-bundle", "version": 2,
//    "source_repository": UUID, "source_sequence": N,
//    "dataset_types": [{"name", "dimensions": [...], "storage_class", "is_calibration"}],
//    "collections": [{"name", "type": "RUN"|"TAGGED"|"CALIBRATION"|"CHAINED",
//                     "doc", "children": [...]}],      # children before their chains
//    "dimension_records": [{"element", "record": {FIELD: VALUE}}],   # universe order
//    "datasets": [{"id", "dataset_type", "run", "data_id": {...},
//                  "path", "size", "checksum", "hdu"}],  # no path: no file
//    "tagged": [{"collection", "ids": [...]}],
//    "certifications": [{"collection", "begin", "end", "ids": [...]}]}
//                                  # TAI ns; null is unbounded
// Version 1 has "runs": [{"name", "doc"}] for "collections", every dataset
// with a file, and no memberships but the RUNs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/universe.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/butler_yaml.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/result.h"

namespace starlog::ingest::internal {

struct BundleCertified {
  std::string collection;
  codec::Timespan validity;
};

struct BundleDataset {
  codec::Uuid id;
  std::string dataset_type;
  std::string run;
  codec::FieldMap data_id;
  std::optional<codec::Artifact> artifact;  // Path, size, checksum, HDU.
  // Version 3 only (earlier versions list memberships apart): the TAGGED
  // and CALIBRATION collections holding it, by name.
  std::vector<std::string> tagged = {};
  std::vector<BundleCertified> certified = {};
};

struct BundleTagged {
  std::string collection;
  std::vector<codec::Uuid> ids;
};

struct BundleCertification {
  std::string collection;
  codec::Timespan validity;
  std::vector<codec::Uuid> ids;
};

struct BundleContent {
  int version = 0;
  std::vector<codec::RegisterDatasetType> dataset_types;
  std::vector<ButlerCollection> collections;  // In the file's order.
  std::vector<ButlerRecords> records;         // One entry per run of an element.
  std::vector<BundleDataset> datasets;
  std::vector<BundleTagged> tagged;
  std::vector<BundleCertification> certifications;
};

// Version 3 (bundle.jsonl, ingest/bundle_lines.h): the header line, then
// one entry a line, read by itself.
struct BundleCounts {
  uint64_t dataset_types = 0;
  uint64_t collections = 0;
  uint64_t chains = 0;
  uint64_t dimension_records = 0;
  uint64_t datasets = 0;
};

struct BundleHeader {
  int version = 0;
  BundleCounts counts;
};

struct BundleRecord {
  std::string element;
  codec::FieldMap record;
};

struct BundleChain {
  std::string name;
  std::vector<std::string> children;
};

// In the order the kinds come in the file (the variant's index).
using BundleLine = std::variant<codec::RegisterDatasetType, ButlerCollection, BundleChain,
                                BundleRecord, BundleDataset>;

// The data ID keys of each dataset type read so far, by name.
using TypeKeys = std::map<std::string, std::vector<std::string>>;

// The header (line 1): InvalidArgument if it is not a bundle's, NotSupported
// for another version.
Result<BundleHeader> ReadBundleHeader(std::string_view line);

// One line after the header, checked by itself as ParseBundle checks an
// entry (a dataset's type must be in "keys"); the error begins "bundle line
// N:". What needs other lines (a RUN among the collections, order,
// duplicates) is the importer's to check.
Result<BundleLine> ReadBundleLine(std::string_view line, uint64_t number,
                                  const engine::Universe& universe, const TypeKeys& keys);

// The order of version 3's lines. A record's key: its element's keys,
// encoded (InvalidArgument if it lacks one). A dataset's: its type and data
// ID (a prefix no other type and data ID extends, so that the lines of one
// are together), then its RUN.
Result<std::string> RecordKey(const engine::Universe& universe, const std::string& element,
                              const codec::FieldMap& record);
std::string DatasetGroupKey(const std::string& dataset_type, const codec::FieldMap& data_id);
std::string DatasetOrderKey(const std::string& dataset_type, const codec::FieldMap& data_id,
                            const std::string& run);

// Larger bundle.json files are refused before they are read.
inline constexpr size_t kMaxBundleJsonBytes = size_t{1} << 30;

// Parses bundle.json. InvalidArgument (NotSupported for another version)
// names what is wrong and where: a member of the wrong type, an invalid
// collection, dataset type or element name, a path that is not a clean
// relative path, an unknown collection type, a malformed id or checksum, a
// data ID a universe element does not key, an empty or inverted validity
// range, a chain listing itself or a child twice, a dataset id twice.
Result<BundleContent> ParseBundle(std::string_view text, const engine::Universe& universe);

// Where a content's files are read from, at their recorded paths.
struct ContentSource {
  std::string files;  // The folder the artifact paths are relative to.
  // A repository's root, whose files may be links out of it (the symlink
  // modes make them); a bundle's files/ may hold no such link.
  // Default: false.
  bool repository = false;
  // What messages call where the content came from, and what a refusal
  // says was not done ("nothing was imported"). Default: "bundle", "imported".
  std::string name = "bundle";
  std::string verb = "imported";
};

// Checks every file of "content" in "source" against its size and checksum
// and every path against the root of "store", plans against "view" (the
// head of "store") what "store" lacks, and hands it to "sink" in one batch,
// all or nothing: ImportBundle (bundle.h) once bundle.json is read. Returns
// what ImportBundle returns.
Result<ImportReport> ImportContent(engine::EventStore& store, const engine::RegistryView& view,
                                   const BundleContent& content, const ContentSource& source,
                                   const ImportOptions& options, const FileSink& sink);

}  // namespace starlog::ingest::internal
