#pragma once

// Content digests: order-independent digests of a repository's registry
// content, one per partition, so that two repositories of different lineage
// (the same datasets registered in another order, or by an import) can be
// compared and the partitions that differ found without reading the rest.
// Kept in `meta`, updated with each event as the family digests are:
//
//   "cdigest/" S(collection) S(type) -> fixed64 entries, hash128 digest
//       the collection's entries of that dataset type: datasets (a RUN),
//       with their artifacts, tags (TAGGED), calibrations with their
//       validity (CALIBRATION). Each entry adds the EntryHash its family
//       digest adds; an artifact counts in its dataset's RUN.
//   "rdigest/" S(element)            -> the same, of the element's dimension
//       records, each hashed without its insertion ordinal (which depends
//       on the order the records came in), that is over key and fields.
//   "content_digests"                -> "1" once the partitions are kept:
//       written at create, by a rebuild, or by the scan that a writer's open
//       makes of a repository from before them (no format change).
//
// The part of a meta key after its prefix is the logical-key prefix of the
// partition's entries in their families (registry_keys.h), so a partition
// that differs is compared by a scan of exactly that range.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/store/db_handles.h"
#include "starlog/codec/hash.h"
#include "starlog/engine/content_source.h"
#include "starlog/result.h"

namespace starlog::engine {

inline constexpr std::string_view kMetaCollectionDigestPrefix = "cdigest/";
inline constexpr std::string_view kMetaRecordDigestPrefix = "rdigest/";
inline constexpr std::string_view kMetaContentDigestsBuilt = "content_digests";

// Bytes of a dimension_records payload before its fields: U(ordinal).
inline constexpr size_t kRecordOrdinalBytes = 8;

// A partition's live entries and the sum of their hashes.
struct PartStats {
  int64_t entries = 0;
  codec::Hash128 digest;
  PartStats& operator+=(const PartStats& other) {
    entries += other.entries;
    digest = digest + other.digest;
    return *this;
  }
};
// By meta key, in key order.
using PartMap = std::map<std::string, PartStats>;

// Whether entries of "family" count in a partition (the artifacts need
// their dataset's RUN, which the caller finds).
bool HasContentPartition(Family family);

// The meta key of the partition of an entry of "family" (datasets, tags,
// calibrations, dimension_records) with "logical_key": PartMetaPrefix then
// PartRange, the leading components of the key (a view into it).
// Corruption if the key does not hold the components its family's keys
// start with.
Result<std::string> PartKeyOf(Family family, std::string_view logical_key);
std::string_view PartMetaPrefix(Family family);
Result<std::string_view> PartRange(Family family, std::string_view logical_key);
// The partition of an artifact whose dataset has the dataset_ids payload
// "dataset_record" (S(run) S(type) S(data_id)).
Result<std::string> ArtifactPartKey(std::string_view dataset_record);
// What an entry adds to its partition: "entry_hash" (its EntryHash) for
// every family but dimension_records, whose hash leaves out the ordinal.
Result<codec::Hash128> PartHash(Family family, std::string_view logical_key,
                                std::string_view payload, const codec::Hash128& entry_hash);

// The family whose entries a range reads (content_source.h): the datasets
// for kFiles, whose artifacts are joined to them. InvalidArgument for a
// value that names no range.
Result<Family> RangeFamily(ContentRange range);

std::string EncodePartStats(const PartStats& stats);
Result<PartStats> DecodePartStats(std::string_view bytes);

// Adds "delta" to the partitions stored in meta, in "*batch": a partition
// left without entries is deleted. Reads the database's current values.
Status AddToStoredParts(const DbHandles& h, const PartMap& delta, rocksdb::WriteBatch* batch);

// Every partition, computed by a scan of the indexes as of "as_of"
// (versioned_index.h's kLatest: the latest write).
Result<PartMap> ComputeParts(const DbHandles& h, uint64_t as_of);
// Whether the marker says the partitions are kept.
Result<bool> ContentDigestsKept(const DbHandles& h);
// The partitions stored in meta, or nullopt if the marker is absent.
Result<std::optional<PartMap>> ReadStoredParts(const DbHandles& h);
// Replaces every stored partition with "parts" and sets the marker, in "*batch".
Status ReplaceStoredParts(const DbHandles& h, const PartMap& parts, rocksdb::WriteBatch* batch);

}  // namespace starlog::engine
