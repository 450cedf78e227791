#pragma once

#include <rocksdb/status.h>

#include "starlog/status.h"

namespace starlog::engine {

// Converts a RocksDB status at the boundary, once. "context" says what was
// being done ("open /data/repo", "append event 17").
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace starlog::engine
