#include "engine/model/apply_helpers.h"

#include <algorithm>
#include <vector>

#include "starlog/codec/text.h"

namespace starlog::engine {

Result<std::optional<keys::CollectionRecord>> FindCollection(const IndexBatch& batch,
                                                             std::string_view name) {
  STARLOG_ASSIGN_OR_RETURN(auto payload, batch.Get(Family::kCollections, keys::Collection(name)));
  if (!payload) return std::optional<keys::CollectionRecord>();
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeCollection(*payload));
  return std::optional<keys::CollectionRecord>(std::move(record));
}

Result<keys::CollectionRecord> RequireCollection(const IndexBatch& batch, std::string_view name,
                                                 codec::CollectionType type,
                                                 std::string_view action) {
  STARLOG_ASSIGN_OR_RETURN(auto record, FindCollection(batch, name));
  if (!record) return Status::NotFound("no collection " + Quoted(name));
  if (record->type != type) {
    return Status::Conflict(std::string(action) + " needs a " +
                            std::string(codec::CollectionTypeName(type)) + " collection; " +
                            Quoted(name) + " is " +
                            std::string(codec::CollectionTypeName(record->type)));
  }
  return *record;
}

Result<keys::DatasetTypeRecord> RequireDatasetType(const IndexBatch& batch, std::string_view name) {
  STARLOG_ASSIGN_OR_RETURN(auto payload, batch.Get(Family::kDatasetTypes, keys::DatasetType(name)));
  if (!payload) return Status::NotFound("no dataset type " + Quoted(name));
  return keys::DecodeDatasetType(*payload);
}

Result<std::optional<keys::DatasetRecord>> FindDataset(const IndexBatch& batch,
                                                       const codec::Uuid& id) {
  STARLOG_ASSIGN_OR_RETURN(auto payload, batch.Get(Family::kDatasetIds, keys::DatasetId(id)));
  if (!payload) return std::optional<keys::DatasetRecord>();
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetRecord(*payload));
  return std::optional<keys::DatasetRecord>(std::move(record));
}

Result<std::vector<keys::CalibrationEntry>> CalibrationEntriesUnder(const IndexBatch& batch,
                                                                    const std::string& prefix) {
  std::vector<keys::CalibrationEntry> out;
  Status decode;
  STARLOG_RETURN_IF_ERROR(
      batch.Scan(Family::kCalibrations, prefix, [&](std::string_view k, std::string_view v) {
        auto entry = keys::DecodeCalibration(k, v);
        if (!entry.ok()) {
          decode = entry.status();
          return false;
        }
        out.push_back(std::move(entry).value());
        return true;
      }));
  STARLOG_RETURN_IF_ERROR(decode);
  return out;
}

Status RemoveCalibrationEntry(IndexBatch& batch, const keys::CalibrationEntry& entry) {
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

Status RemoveDatasetEverywhere(IndexBatch& batch, const codec::Uuid& id,
                               const keys::DatasetRecord& record) {
  // Memberships first: the TAGGED and CALIBRATION collections holding it.
  std::vector<std::pair<std::string, std::string>> memberships;  // collection, kind
  Status decode;
  STARLOG_RETURN_IF_ERROR(batch.Scan(Family::kDatasetTags, keys::MembershipPrefix(id),
                                     [&](std::string_view k, std::string_view v) {
                                       auto collection = keys::MembershipCollection(k);
                                       if (!collection.ok()) {
                                         decode = collection.status();
                                         return false;
                                       }
                                       memberships.emplace_back(*collection, std::string(v));
                                       return true;
                                     }));
  STARLOG_RETURN_IF_ERROR(decode);
  for (const auto& [collection, kind] : memberships) {
    if (kind == keys::kTaggedMembership) {
      STARLOG_RETURN_IF_ERROR(
          batch.Delete(Family::kTags, keys::TagEntry(collection, record.type, record.data_id)));
      STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetLookup,
                                           keys::Lookup(record.type, record.data_id, collection)));
      STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetTags, keys::Membership(id, collection)));
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(
        auto entries, CalibrationEntriesUnder(
                          batch, keys::CalibrationPrefix(collection, record.type, record.data_id)));
    std::erase_if(entries, [&](const auto& entry) { return entry.id != id; });
    for (const auto& entry : entries) STARLOG_RETURN_IF_ERROR(RemoveCalibrationEntry(batch, entry));
  }
  STARLOG_RETURN_IF_ERROR(
      batch.Delete(Family::kDatasets, keys::Dataset(record.run, record.type, record.data_id)));
  STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetIds, keys::DatasetId(id)));
  STARLOG_RETURN_IF_ERROR(
      batch.Delete(Family::kDatasetLookup, keys::Lookup(record.type, record.data_id, record.run)));
  return batch.Delete(Family::kArtifacts, keys::ArtifactKey(id));
}

}  // namespace starlog::engine
