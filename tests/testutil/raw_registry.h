#pragma once

// Opens a closed repository's RocksDB directly, to damage it the ways tests
// need (a flipped byte, a dropped column family, a stray meta key).

#include <rocksdb/db.h>

#include <functional>
#include <map>
#include <string>

#include "engine/store/column_families.h"

namespace starlog::testutil {

using RawFamilies = std::map<std::string, rocksdb::ColumnFamilyHandle*>;

// Calls "fn" with the database and its column families by name, then closes it.
// REQUIRES: no EventStore has the repository at "root" open.
void WithRawRegistry(const std::string& root,
                     const std::function<void(rocksdb::DB*, RawFamilies&)>& fn);

// The handle of "family" in "families", which every repository has.
rocksdb::ColumnFamilyHandle* FamilyHandle(const RawFamilies& families, engine::Family family);

}  // namespace starlog::testutil
