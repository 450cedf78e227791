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

// Who opens the families decides the memtable filter: a writer's memtables
// take every new key, and the filter pays; a reader's or a follower's take at
// most the writer's unflushed log, replayed once, and a filter would be zeroed
// memory (about 1.3 MB a family) that a short command never uses (table files
// keep their filters either way).
// Only the families that hold a key per dataset or record get one: the
// writer's filters are zeroed at each open (a short-lived CLI writer spent a
// seventh of its time on them), and a memtable of a few collections, chains
// or dataset types is searched as fast as its filter would be.
enum class OpenedBy { kWriter, kReader };
rocksdb::ColumnFamilyOptions FamilyOptions(Family family, OpenedBy by = OpenedBy::kWriter);

rocksdb::ReadOptions PointReadOptions();
rocksdb::ReadOptions ScanOptions();

}  // namespace starlog::engine
