#pragma once

// RocksDB options of each column family. The index families carry a prefix
// bloom filter on the logical key (the key without its version suffix,
// versioned_index.h), in the memtable and in every table file: a point read
// of a key that is absent, the common case when registering new datasets,
// then skips the memtable and most files without searching them.
//
// Point reads of an index family use prefix seeks (PointReadOptions); every
// scan must read in total order (ScanOptions), since a scan's prefix is
// shorter than a logical key. The one exception is dataset_lookup, whose
// filter is on a key's dataset type and data ID: a scan of exactly those
// (IndexReader::ScanFiltered) may use a prefix seek.

#include <rocksdb/options.h>

#include "engine/store/column_families.h"

namespace starlog::engine {

rocksdb::ColumnFamilyOptions FamilyOptions(Family family);

rocksdb::ReadOptions PointReadOptions();
rocksdb::ReadOptions ScanOptions();

}  // namespace starlog::engine
