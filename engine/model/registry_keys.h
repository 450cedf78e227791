#pragma once

// Logical keys and payloads of the registry's index families, written here
// once. Keys are built with KeyWriter (key_coder.h): S() is an escaped,
// terminated string, U() a big-endian integer, I() a sign-flipped one, R16 the
// 16 raw bytes of a UUID. "data_id" is EncodeDataIdValues's form (format
// version 2; version 1 had EncodeDataId's, with the key names): the values
// only, in the order of the keys its context gives: the RequiredKeys of the
// dataset type's dimensions, or of the element for dimension_records. It is
// wrapped in S() so it stays prefix-free inside longer keys. Payloads that
// are records (dimension_records' record_fields) keep EncodeDataId's form,
// names included: their fields are no fixed list.
//
//   settings          S(name)                              -> bytes
//   collections       S(name)                              -> type(u8) doc
//   chains            S(chain)                             -> S(child)...
//   chain_parents     S(child) S(chain)                    -> ""
//   dataset_types     S(name)                              -> S(storage_class) flag(u8) S(dim)...
//   datasets          S(run) S(type) S(data_id)            -> R16(uuid)
//   dataset_ids       R16(uuid)                            -> S(run) S(type) S(data_id)
//   dataset_lookup    S(type) S(data_id) S(collection)     -> R16(uuid)  (RUN and TAGGED)
//   tags              S(collection) S(type) S(data_id)     -> R16(uuid)
//   dataset_tags      R16(uuid) S(collection)              -> "t" (TAGGED) | "c" (CALIBRATION)
//   calibrations      S(collection) S(type) S(data_id) I(begin) -> R16(uuid) I(end)
//   dimension_records S(element) S(key data_id)            -> U(ordinal) record_fields
//   artifacts         R16(uuid)                            -> S(path) U(size) hash128 [U(hdu)]
//   snapshots         S(name)                              -> U(sequence)
//   policy            "policy" (raw; the only key)         -> FormatPolicy's text (policy.h)

#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::engine::keys {

inline constexpr std::string_view kUniverseSetting = "universe";

// policy: one entry, the access policy in force.
inline constexpr std::string_view kPolicy = "policy";

std::string Setting(std::string_view name);

// collections
std::string Collection(std::string_view name);
struct CollectionRecord {
  codec::CollectionType type = codec::CollectionType::kRun;
  std::string doc;
};
std::string EncodeCollection(const CollectionRecord& record);
Result<CollectionRecord> DecodeCollection(std::string_view payload);

// chains, chain_parents
std::string Chain(std::string_view name);
std::string EncodeChildren(const std::vector<std::string>& children);
Result<std::vector<std::string>> DecodeChildren(std::string_view payload);
std::string ChainParentPrefix(std::string_view child);
std::string ChainParent(std::string_view child, std::string_view chain);
Result<std::string> ChainParentName(std::string_view key);  // The chain of a chain_parents key.

// dataset_types
std::string DatasetType(std::string_view name);
struct DatasetTypeRecord {
  std::vector<std::string> dimensions;  // Sorted, unique.
  std::string storage_class;
  bool is_calibration = false;
  friend bool operator==(const DatasetTypeRecord&, const DatasetTypeRecord&) = default;
};
std::string EncodeDatasetType(const DatasetTypeRecord& record);
Result<DatasetTypeRecord> DecodeDatasetType(std::string_view payload);

// datasets, dataset_ids, dataset_lookup
std::string Dataset(std::string_view run, std::string_view type, std::string_view data_id);
std::string DatasetPrefix(std::string_view run);
std::string DatasetPrefix(std::string_view run, std::string_view type);
std::string DatasetId(const codec::Uuid& id);
struct DatasetRecord {
  std::string run;
  std::string type;
  std::string data_id;  // EncodeDataIdValues over the type's keys.
};
std::string EncodeDatasetRecord(const DatasetRecord& record);
Result<DatasetRecord> DecodeDatasetRecord(std::string_view payload);
// Decodes the (run, type, data ID) of a datasets key.
Result<DatasetRecord> DecodeDatasetKey(std::string_view key);
std::string Lookup(std::string_view type, std::string_view data_id, std::string_view collection);
std::string LookupPrefix(std::string_view type, std::string_view data_id);
std::string LookupPrefix(std::string_view type);
// The (type, data ID, collection) of a dataset_lookup key.
struct LookupKey {
  std::string type;
  std::string data_id;
  std::string collection;
};
Result<LookupKey> DecodeLookup(std::string_view key);
Result<codec::Uuid> DecodeUuid(std::string_view payload);

// tags, dataset_tags
std::string TagEntry(std::string_view collection, std::string_view type, std::string_view data_id);
std::string TagPrefix(std::string_view collection);
std::string TagPrefix(std::string_view collection, std::string_view type);
std::string Membership(const codec::Uuid& id, std::string_view collection);
std::string MembershipPrefix(const codec::Uuid& id);
inline constexpr std::string_view kTaggedMembership = "t";
inline constexpr std::string_view kCalibrationMembership = "c";
Result<std::string> MembershipCollection(std::string_view key);

// calibrations
std::string Calibration(std::string_view collection, std::string_view type,
                        std::string_view data_id, int64_t begin);
std::string CalibrationPrefix(std::string_view collection);
std::string CalibrationPrefix(std::string_view collection, std::string_view type);
std::string CalibrationPrefix(std::string_view collection, std::string_view type,
                              std::string_view data_id);
struct CalibrationEntry {
  std::string collection;
  std::string type;
  std::string data_id;
  codec::Uuid id;
  codec::Timespan validity;
};
std::string EncodeCalibrationValue(const codec::Uuid& id, int64_t end);
Result<CalibrationEntry> DecodeCalibration(std::string_view key, std::string_view payload);
// Only the dataset and its validity range of a calibrations entry, whose
// logical key the caller knows already: nothing copied.
struct CalibrationValidity {
  codec::Uuid id;
  codec::Timespan validity;
};
Result<CalibrationValidity> DecodeCalibrationValidity(std::string_view key,
                                                      std::string_view payload);

// dimension_records
std::string DimensionRecord(std::string_view element, std::string_view key_data_id);
std::string DimensionRecordPrefix(std::string_view element);
std::string EncodeDimensionRecord(uint64_t ordinal, const codec::FieldMap& record);
struct DimensionRecordValue {
  uint64_t ordinal = 0;
  codec::FieldMap record;
};
Result<DimensionRecordValue> DecodeDimensionRecord(std::string_view payload);

// artifacts
std::string ArtifactKey(const codec::Uuid& id);
std::string EncodeArtifact(const codec::Artifact& artifact);
Result<codec::Artifact> DecodeArtifact(std::string_view payload);

// snapshots
std::string Snapshot(std::string_view name);

}  // namespace starlog::engine::keys
