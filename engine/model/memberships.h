#pragma once

// The index entries that must change together, each written and removed by
// one pair of functions here and nowhere else (registry_keys.h lists the
// families). A delete missed on one path would be replayed identically by a
// rebuild, so no digest catches it; CheckMemberships (membership_check.h)
// walks the families to catch it in tests.
//
//   RUN membership     datasets + dataset_ids + dataset_lookup (collection = run)
//   TAGGED membership  tags + dataset_lookup + dataset_tags "t"
//   CALIBRATION entry  calibrations + dataset_tags "c" (one per dataset and
//                      collection, while any entry of the dataset is left there)

#include <optional>
#include <string_view>

#include "engine/model/registry_keys.h"
#include "engine/store/versioned_index.h"

namespace starlog::engine {

// "dataset" is the dataset "id" as dataset_ids holds it. The caller has
// found neither "id" nor the RUN's (type, data ID) live (registration does):
// then none of the three entries is, and none is read before it is written.
Status PutRunMembership(IndexBatch& batch, const codec::Uuid& id,
                        const keys::DatasetRecord& dataset);
Status DeleteRunMembership(IndexBatch& batch, const codec::Uuid& id,
                           const keys::DatasetRecord& dataset);

// Only the type and data ID of "dataset" are used: its RUN plays no part.
Status PutTagMembership(IndexBatch& batch, std::string_view collection, const codec::Uuid& id,
                        const keys::DatasetRecord& dataset);
Status DeleteTagMembership(IndexBatch& batch, std::string_view collection, const codec::Uuid& id,
                           const keys::DatasetRecord& dataset);
// The dataset TAGGED "collection" holds for the type and data ID of
// "dataset", if any.
Result<std::optional<codec::Uuid>> TaggedOccupant(const IndexBatch& batch,
                                                  std::string_view collection,
                                                  const keys::DatasetRecord& dataset);

// The caller has found no live entry of the data ID in the collection
// whose validity overlaps "entry"'s (certify checks; decertify ends the one
// it trims first): then none starts where "entry" does, and its key is
// written without reading an old value.
Status PutCalibrationEntry(IndexBatch& batch, const keys::CalibrationEntry& entry);
// Also ends the dataset's membership of the collection when no other entry
// of it remains there.
Status DeleteCalibrationEntry(IndexBatch& batch, const keys::CalibrationEntry& entry);

}  // namespace starlog::engine
