#include "engine/model/memberships.h"

#include <algorithm>

#include "engine/model/apply_helpers.h"

namespace starlog::engine {

Status PutRunMembership(IndexBatch& batch, const codec::Uuid& id,
                        const keys::DatasetRecord& dataset) {
  // The three entries live and end together (this file), so the absence of
  // the first two, which the caller checked, proves the third's: a read
  // saved per dataset registered.
  STARLOG_RETURN_IF_ERROR(batch.PutNew(
      Family::kDatasets, keys::Dataset(dataset.run, dataset.type, dataset.data_id), id.AsBytes()));
  STARLOG_RETURN_IF_ERROR(
      batch.PutNew(Family::kDatasetIds, keys::DatasetId(id), keys::EncodeDatasetRecord(dataset)));
  return batch.PutNew(Family::kDatasetLookup,
                      keys::Lookup(dataset.type, dataset.data_id, dataset.run), id.AsBytes());
}

Status DeleteRunMembership(IndexBatch& batch, const codec::Uuid& id,
                           const keys::DatasetRecord& dataset) {
  STARLOG_RETURN_IF_ERROR(
      batch.Delete(Family::kDatasets, keys::Dataset(dataset.run, dataset.type, dataset.data_id)));
  STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetIds, keys::DatasetId(id)));
  return batch.Delete(Family::kDatasetLookup,
                      keys::Lookup(dataset.type, dataset.data_id, dataset.run));
}

Status PutTagMembership(IndexBatch& batch, std::string_view collection, const codec::Uuid& id,
                        const keys::DatasetRecord& dataset) {
  STARLOG_RETURN_IF_ERROR(batch.Put(
      Family::kTags, keys::TagEntry(collection, dataset.type, dataset.data_id), id.AsBytes()));
  STARLOG_RETURN_IF_ERROR(
      batch.Put(Family::kDatasetTags, keys::Membership(id, collection), keys::kTaggedMembership));
  return batch.Put(Family::kDatasetLookup, keys::Lookup(dataset.type, dataset.data_id, collection),
                   id.AsBytes());
}

Status DeleteTagMembership(IndexBatch& batch, std::string_view collection, const codec::Uuid& id,
                           const keys::DatasetRecord& dataset) {
  STARLOG_RETURN_IF_ERROR(
      batch.Delete(Family::kTags, keys::TagEntry(collection, dataset.type, dataset.data_id)));
  STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetTags, keys::Membership(id, collection)));
  return batch.Delete(Family::kDatasetLookup,
                      keys::Lookup(dataset.type, dataset.data_id, collection));
}

Result<std::optional<codec::Uuid>> TaggedOccupant(const IndexBatch& batch,
                                                  std::string_view collection,
                                                  const keys::DatasetRecord& dataset) {
  STARLOG_ASSIGN_OR_RETURN(
      auto payload,
      batch.Get(Family::kTags, keys::TagEntry(collection, dataset.type, dataset.data_id)));
  if (!payload) return std::optional<codec::Uuid>();
  STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(*payload));
  return std::optional<codec::Uuid>(id);
}

Status PutCalibrationEntry(IndexBatch& batch, const keys::CalibrationEntry& entry) {
  STARLOG_RETURN_IF_ERROR(batch.PutNew(
      Family::kCalibrations,
      keys::Calibration(entry.collection, entry.type, entry.data_id, entry.validity.begin),
      keys::EncodeCalibrationValue(entry.id, entry.validity.end)));
  return batch.Put(Family::kDatasetTags, keys::Membership(entry.id, entry.collection),
                   keys::kCalibrationMembership);
}

Status DeleteCalibrationEntry(IndexBatch& batch, const keys::CalibrationEntry& entry) {
  STARLOG_RETURN_IF_ERROR(batch.Delete(
      Family::kCalibrations,
      keys::Calibration(entry.collection, entry.type, entry.data_id, entry.validity.begin)));
  STARLOG_ASSIGN_OR_RETURN(
      auto remaining,
      CalibrationEntriesUnder(
          batch, keys::CalibrationPrefix(entry.collection, entry.type, entry.data_id)));
  const bool still_member = std::any_of(remaining.begin(), remaining.end(),
                                        [&](const auto& other) { return other.id == entry.id; });
  if (still_member) return Status::OK();
  return batch.Delete(Family::kDatasetTags, keys::Membership(entry.id, entry.collection));
}

}  // namespace starlog::engine
