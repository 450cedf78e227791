#pragma once

// The rules an import checks for one entry of a bundle against the target,
// shared by the reader of a whole bundle.json (bundle_import.cc) and the one
// that streams bundle.jsonl (bundle_stream_import.cc). Each returns true if
// the import adds the entry, false if the target has it already, and
// Conflict, ending "nothing was imported" (the words "source" gives: a
// transfer's say "source" and "transferred"), if the target holds it
// otherwise.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingest/bundle_content.h"
#include "starlog/engine/registry_view.h"

namespace starlog::ingest::internal {

// "[begin, end)" with "unbounded" for an open end.
std::string RangeText(const codec::Timespan& t);

// A dataset type: the same dimension group (however spelled), storage class
// and calibration flag.
Result<bool> PlanDatasetType(const engine::RegistryView& view, const codec::RegisterDatasetType& t,
                             const ContentSource& source = {});

// A collection: the target's of that name, if it has one of the same type
// (nullopt: the import creates it).
Result<std::optional<engine::CollectionInfo>> PlanCollection(const engine::RegistryView& view,
                                                             const ButlerCollection& c,
                                                             const ContentSource& source = {});

// A chain's children: "there" the target's collection of that name (see
// PlanCollection); "in_bundle" whether a collection is the bundle's. A child
// in neither is InvalidArgument.
Result<bool> PlanChain(const engine::RegistryView& view, const std::string& name,
                       const std::vector<std::string>& children,
                       const std::optional<engine::CollectionInfo>& there,
                       const std::function<bool(const std::string&)>& in_bundle,
                       const ContentSource& source = {});

// The dataset of "data_id" in "collection" of the target, if any.
Result<std::optional<engine::DatasetRef>> HolderIn(const engine::RegistryView& view,
                                                   const std::string& dataset_type,
                                                   const codec::FieldMap& data_id,
                                                   const std::string& collection);

// A dataset by its id, and its data ID in its RUN ("run_there": the target
// has that RUN).
Result<bool> PlanDataset(const engine::RegistryView& view, const BundleDataset& d, bool run_there,
                         const ContentSource& source = {});

// Dataset "id" (of "dataset_type" and "data_id") tagged in "collection",
// which the target has.
Result<bool> PlanTag(const engine::RegistryView& view, const std::string& collection,
                     const codec::Uuid& id, const std::string& dataset_type,
                     const codec::FieldMap& data_id, const ContentSource& source = {});

// A file the bundle names ("artifact.path", under "files", the bundle's
// files/): inside "files" and the target's "root", and byte for byte what
// the bundle records (Corruption otherwise).
Status CheckBundleFile(const std::string& root, const std::string& files,
                       const codec::Artifact& artifact);

}  // namespace starlog::ingest::internal
