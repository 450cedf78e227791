#pragma once

#include <rocksdb/db.h>

#include <array>

#include "engine/store/column_families.h"

namespace starlog::engine {

// Borrowed RocksDB handles of an open repository. The EventStore owns them;
// whoever holds a DbHandles must not outlive it.
struct DbHandles {
  rocksdb::DB* db = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> cf{};

  rocksdb::ColumnFamilyHandle* operator[](Family f) const { return cf[static_cast<int>(f)]; }
};

}  // namespace starlog::engine
