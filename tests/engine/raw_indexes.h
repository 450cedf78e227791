#pragma once

// The index families of a closed repository, opened with RocksDB directly:
// to run CheckMemberships (engine/model/membership_check.h) over what the
// store wrote, and to plant the damage a missed delete would leave.

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/store/db_handles.h"
#include "engine/store/versioned_index.h"

namespace starlog::testutil {

class RawIndexes {
 public:
  // REQUIRES: no store has the repository at "root" open.
  explicit RawIndexes(const std::string& root);
  ~RawIndexes();

  // CheckMemberships as of event "as_of".
  Status Check(uint64_t as_of = engine::kLatest) const;
  // Writes "payload" at "logical_key" as version "sequence" (past the head).
  void Put(uint64_t sequence, engine::Family family, const std::string& logical_key,
           const std::string& payload);
  // Removes the content digests and their marker, as a repository written
  // before them holds none (content_digest.h).
  void ForgetContentDigests();

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> all_;
  engine::DbHandles h_;
};

// CheckMemberships over the repository at "root", which no store may have open.
Status CheckRepositoryMemberships(const std::string& root);

}  // namespace starlog::testutil
