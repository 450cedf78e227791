#pragma once

// The RocksDB column families of a repository (DESIGN.md, Storage).
//
//   log     seq(be64) -> frame                       the events, verbatim
//   meta    name      -> value                       repository id, format, head
//   heads   seq(be64) -> H(seq) digest(seq) time     chain hash, state digest and
//                                                    commit time after each event
//   time    time(be64) seq(be64) -> ""               commit time -> sequence
//
// and the multi-versioned index families (versioned_index.h), one per entry in
// kIndexFamilies. Every index entry key ends in the inverted sequence at which
// that version appeared.

#include <array>
#include <string_view>

namespace starlog::engine {

enum class Family : int {
  kLog = 0,
  kMeta,
  kHeads,
  kTime,
  // Index families: each has a live count and a sub-digest in meta.
  kSettings,          // name -> value: the universe, from event 1
  kCollections,       // name -> type, doc
  kChains,            // chain name -> children
  kChainParents,      // child, chain -> ""  (which chains reference a collection)
  kDatasetTypes,      // name -> definition
  kDatasets,          // run, type, data ID -> uuid
  kDatasetIds,        // uuid -> run, type, data ID
  kDatasetLookup,     // type, data ID, collection -> uuid (find-first in one seek range)
  kTags,              // collection, type, data ID -> uuid
  kDatasetTags,       // uuid, collection -> ""  (to untag on removal)
  kCalibrations,      // collection, type, data ID, begin -> uuid, end
  kDimensionRecords,  // element, key values -> record
  kArtifacts,         // uuid -> path, size, checksum
  kSnapshots,         // name -> sequence
  kPolicy,            // "policy" -> the access policy
  kCount,
};

inline constexpr int kFamilyCount = static_cast<int>(Family::kCount);
inline constexpr int kFirstIndexFamily = static_cast<int>(Family::kSettings);

// RocksDB column family name of each family, in enum order.
inline constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "log",           "meta",         "heads",        "time",
    "settings",      "collections",  "chains",       "chain_parents",
    "dataset_types", "datasets",     "dataset_ids",  "dataset_lookup",
    "tags",          "dataset_tags", "calibrations", "dimension_records",
    "artifacts",     "snapshots",    "policy",
};

inline bool IsIndexFamily(Family f) { return static_cast<int>(f) >= kFirstIndexFamily; }
inline std::string_view FamilyName(Family f) { return kFamilyNames[static_cast<int>(f)]; }

}  // namespace starlog::engine
