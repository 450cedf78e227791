#pragma once

// A bundle's bundle.json read into values and checked by itself (names,
// paths, ids, data IDs, timespans, types), before any repository is looked
// at: what bundle_import.cc plans from and bundle.cc writes. A transfer
// between repositories (repository_transfer.h) builds the same content in
// memory and imports it the same way.
//
// Version 2 (written):
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
#include <optional>
#include <string>
#include <string_view>
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

struct BundleDataset {
  codec::Uuid id;
  std::string dataset_type;
  std::string run;
  codec::FieldMap data_id;
  std::optional<codec::Artifact> artifact;  // Path, size, checksum, HDU.
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
