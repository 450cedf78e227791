#include "engine/store/family_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <array>
#include <memory>

namespace starlog::engine {

namespace {

constexpr size_t kVersionSuffix = 8;  // be64(~sequence), versioned_index.h.

// Maps an index entry's key to its logical key. Its name is stored with each
// table file; a file written under another name (or none) is read without
// its filter, never wrongly.
class LogicalKeyTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "starlog.LogicalKey.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - kVersionSuffix);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= kVersionSuffix; }
};

// dataset_lookup keys begin with the dataset type and the data ID, each a
// KeyWriter string ended by 00 01 (a NUL inside is written 00 ff, so 00 01
// ends a string and nothing else). Its filter is on those two: find-first's
// scan of every collection holding a data ID reads only the files that hold
// it, like a point read.
class TypeAndDataIdTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "starlog.TypeAndDataId.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), EndOfTwoStrings(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return EndOfTwoStrings(key) != 0; }

 private:
  // The length of the first two strings of "key", or 0 if it has fewer.
  static size_t EndOfTwoStrings(const rocksdb::Slice& key) {
    int ends = 0;
    for (size_t i = 0; i + 1 < key.size(); ++i) {
      if (key[i] != '\0') continue;
      if (key[i + 1] == '\x01' && ++ends == 2) return i + 2;
      ++i;  // Skip the byte after the NUL: 01 (an end) or ff (an escape).
    }
    return 0;
  }
};

// One block cache for every family of every repository in the process: its
// size bounds the memory of table blocks, indexes and filters, whatever the
// size of the repository.
std::shared_ptr<rocksdb::Cache> BlockCache() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(128 << 20);
  return cache;
}

std::shared_ptr<rocksdb::TableFactory> IndexTables() {
  static const std::shared_ptr<rocksdb::TableFactory> factory = [] {
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = BlockCache();
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.whole_key_filtering = false;  // Only the logical key is ever looked up.
    // Indexes and filters partitioned into small blocks that live in the
    // block cache like data, with only their top levels pinned: a file's
    // whole filter (a megabyte for a large file) is never read for one key,
    // and at ten million datasets the metadata alone outgrows any fixed
    // share of the cache without thrashing it.
    t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    t.partition_filters = true;
    t.metadata_block_size = 4096;
    t.cache_index_and_filter_blocks = true;
    t.cache_index_and_filter_blocks_with_high_priority = true;
    t.pin_top_level_index_and_filter = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
  }();
  return factory;
}

std::shared_ptr<rocksdb::TableFactory> PlainTables() {
  static const std::shared_ptr<rocksdb::TableFactory> factory = [] {
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = BlockCache();
    return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
  }();
  return factory;
}

// Whether "family" holds a key per dataset, dimension record or validity
// range (and so a writer's memtable of it, a filter).
bool HoldsManyKeys(Family family) {
  // A key per dataset (its RUN, id, lookup, file, tags), per dimension
  // record, per validity range.
  constexpr std::array kMany = {
      Family::kDatasets, Family::kDatasetIds,  Family::kDatasetLookup, Family::kArtifacts,
      Family::kTags,     Family::kDatasetTags, Family::kCalibrations,  Family::kDimensionRecords};
  return std::find(kMany.begin(), kMany.end(), family) != kMany.end();
}

}  // namespace

rocksdb::ColumnFamilyOptions FamilyOptions(Family family, OpenedBy by) {
  rocksdb::ColumnFamilyOptions o;
  if (!IsIndexFamily(family)) {
    o.table_factory = PlainTables();
    return o;
  }
  o.table_factory = IndexTables();
  if (family == Family::kDatasetLookup) {
    o.prefix_extractor = std::make_shared<TypeAndDataIdTransform>();
  } else {
    o.prefix_extractor = std::make_shared<LogicalKeyTransform>();
  }
  // About 1.3 MB of bloom bits per 64 MB memtable: ~16 bits per entry.
  o.memtable_prefix_bloom_size_ratio = by == OpenedBy::kWriter && HoldsManyKeys(family) ? 0.02 : 0;
  return o;
}

rocksdb::ReadOptions PointReadOptions() { return rocksdb::ReadOptions(); }

rocksdb::ReadOptions ScanOptions() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  return ro;
}

}  // namespace starlog::engine
