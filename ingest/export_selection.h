#pragma once

// What an export holds, gathered once for both of starlog's formats (a
// bundle, bundle.h, and the butler's export.yaml, butler_transfer.h): the
// chosen datasets with their types, the dimension records their data IDs
// need, their RUNs and the collections asked for (chains with every
// collection they search), and the exported datasets' TAGGED and
// CALIBRATION memberships in those collections, with validity.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "starlog/engine/registry_view.h"
#include "starlog/ingest/butler_yaml.h"

namespace starlog::ingest::internal {

struct ExportSelection {
  std::vector<engine::DatasetRef> datasets;               // Each id once, in the order given.
  std::vector<codec::RegisterDatasetType> dataset_types;  // By name.
  // Every element with records, in universe order (what a record refers to
  // comes first), key-only elements (band) included.
  std::vector<ButlerRecords> records;
  // Children before the chains that search them, so an importer can create
  // them in this order.
  std::vector<ButlerCollection> collections;
  // One entry per TAGGED or CALIBRATION collection holding an exported
  // dataset; one validity range per distinct range.
  std::vector<ButlerAssociations> associations;
  size_t memberships = 0;  // Tags and certifications in "associations".
};

// The part of an ExportSelection that is per dataset type, collection and
// dimension record, gathered a dataset at a time so that an export need not
// hold its datasets (bundle.cc): the types, the RUNs and the records of the
// datasets added, and the collections "patterns" name. "*view" must outlive
// it. Not thread-safe.
class ExportRegistry {
 public:
  explicit ExportRegistry(const engine::RegistryView& view) : view_(view) {}

  // Notes the type, RUN and records of "ref".
  Status Add(const engine::DatasetRef& ref);
  // Adds the collections "patterns" (names or globs) name, with every
  // collection a chain among them searches, and moves what was gathered into
  // "out"'s dataset_types, records and collections.
  Status Finish(const std::vector<std::string>& patterns, ExportSelection* out);
  // The dataset types added, by name.
  const std::set<std::string>& types() const { return types_; }
  // Every collection gathered (after Finish), by name.
  const std::map<std::string, engine::CollectionInfo>& collections() const { return collections_; }

 private:
  const engine::RegistryView& view_;
  std::map<std::string, std::map<std::string, codec::FieldMap>> records_;  // By element.
  std::map<std::string, engine::CollectionInfo> collections_;
  std::set<std::string> types_;
};

// "patterns" are names or globs (--collections); a pattern that matches
// nothing adds nothing. "refs" are moved into the selection (so that a
// large export holds them once).
Result<ExportSelection> SelectForExport(const engine::RegistryView& view,
                                        std::vector<engine::DatasetRef> refs,
                                        const std::vector<std::string>& patterns);

}  // namespace starlog::ingest::internal
