#include "engine/model/apply_helpers.h"

#include <limits>
#include <vector>

#include "engine/model/memberships.h"
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

Result<keys::DatasetTypeRecord> RequireCalibrationType(const IndexBatch& batch,
                                                       std::string_view collection,
                                                       std::string_view type_name,
                                                       std::string_view action,
                                                       std::string_view suffix) {
  STARLOG_RETURN_IF_ERROR(
      RequireCollection(batch, collection, codec::CollectionType::kCalibration, action).status());
  STARLOG_ASSIGN_OR_RETURN(auto type, RequireDatasetType(batch, type_name));
  if (!type.is_calibration) {
    return Status::InvalidArgument("dataset type " + Quoted(type_name) +
                                   " is not a calibration type" + std::string(suffix));
  }
  return type;
}

Result<std::optional<keys::DatasetRecord>> FindDataset(const IndexBatch& batch,
                                                       const codec::Uuid& id) {
  STARLOG_ASSIGN_OR_RETURN(auto payload, batch.Get(Family::kDatasetIds, keys::DatasetId(id)));
  if (!payload) return std::optional<keys::DatasetRecord>();
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetRecord(*payload));
  return std::optional<keys::DatasetRecord>(std::move(record));
}

Result<keys::DatasetRecord> RequireDataset(const IndexBatch& batch, const codec::Uuid& id) {
  STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(batch, id));
  if (!record) return Status::NotFound("no dataset " + id.ToString());
  return *std::move(record);
}

Result<codec::FieldMap> DatasetDataId(const IndexBatch& batch, const Universe& universe,
                                      const keys::DatasetRecord& record) {
  STARLOG_ASSIGN_OR_RETURN(auto type, RequireDatasetType(batch, record.type));
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe.RequiredKeys(type.dimensions));
  return DecodeDataIdValues(record.data_id, keys);
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

Result<std::optional<keys::CalibrationValidity>> OverlappingCalibration(
    const IndexBatch& batch, const std::string& collection, const std::string& type,
    const std::string& data_id, const codec::Timespan& span) {
  const std::string prefix = keys::CalibrationPrefix(collection, type, data_id);
  const std::string past_every_key = prefix + std::string(17, '\xff');
  const std::string before_end = span.end == std::numeric_limits<int64_t>::max()
                                     ? past_every_key
                                     : keys::Calibration(collection, type, data_id, span.end);
  STARLOG_ASSIGN_OR_RETURN(auto last, batch.LastBefore(Family::kCalibrations, prefix, before_end));
  if (!last) return std::optional<keys::CalibrationValidity>();
  STARLOG_ASSIGN_OR_RETURN(auto last_found,
                           keys::DecodeCalibrationValidity(last->logical_key, last->payload));
  if (!last_found.validity.Overlaps(span)) return std::optional<keys::CalibrationValidity>();
  // Something overlaps: the first that does, around the span's start.
  const int64_t t = span.begin;
  const std::string after_start = t == std::numeric_limits<int64_t>::max()
                                      ? past_every_key
                                      : keys::Calibration(collection, type, data_id, t + 1);
  for (const bool backwards : {true, false}) {
    STARLOG_ASSIGN_OR_RETURN(
        auto entry, backwards ? batch.LastBefore(Family::kCalibrations, prefix, after_start)
                              : batch.FirstFrom(Family::kCalibrations, prefix, after_start));
    if (!entry) continue;
    STARLOG_ASSIGN_OR_RETURN(auto found,
                             keys::DecodeCalibrationValidity(entry->logical_key, entry->payload));
    if (found.validity.Overlaps(span)) return std::optional<keys::CalibrationValidity>(found);
  }
  return std::optional<keys::CalibrationValidity>(last_found);
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
      STARLOG_RETURN_IF_ERROR(DeleteTagMembership(batch, collection, id, record));
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(
        auto entries, CalibrationEntriesUnder(
                          batch, keys::CalibrationPrefix(collection, record.type, record.data_id)));
    std::erase_if(entries, [&](const auto& entry) { return entry.id != id; });
    for (const auto& entry : entries) STARLOG_RETURN_IF_ERROR(DeleteCalibrationEntry(batch, entry));
  }
  STARLOG_RETURN_IF_ERROR(DeleteRunMembership(batch, id, record));
  return batch.Delete(Family::kArtifacts, keys::ArtifactKey(id));
}

}  // namespace starlog::engine
