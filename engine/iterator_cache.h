#pragma once

// One RocksDB iterator per index family, created on first use and re-Seek()ed
// after that: creating an iterator costs far more than a seek. An iterator
// sees the database as it was when created, which is what a view at a fixed
// sequence, or one event's validation under the writer's lock, needs.
//
// Thread-safe: Lease() hands an iterator out under a per-family lock. Only
// point reads (IndexReader::Get) lease; scans make their own iterators, so a
// scan's callback may read through the same cache. The cache must be
// destroyed before the database is closed.

#include <rocksdb/db.h>

#include <array>
#include <memory>
#include <mutex>

#include "engine/db_handles.h"

namespace starlog::engine {

class IteratorCache {
 public:
  explicit IteratorCache(const DbHandles& handles) : h_(handles) {}

  class Lease {
   public:
    Lease(std::unique_lock<std::mutex> lock, rocksdb::Iterator* it)
        : lock_(std::move(lock)), it_(it) {}
    rocksdb::Iterator* operator->() const { return it_; }

   private:
    std::unique_lock<std::mutex> lock_;
    rocksdb::Iterator* it_;
  };

  Lease Get(Family family) {
    const int i = static_cast<int>(family);
    std::unique_lock<std::mutex> lock(mu_[i]);
    if (!its_[i]) its_[i].reset(h_.db->NewIterator(rocksdb::ReadOptions(), h_[family]));
    return Lease(std::move(lock), its_[i].get());
  }

 private:
  const DbHandles h_;
  std::array<std::mutex, kFamilyCount> mu_;
  std::array<std::unique_ptr<rocksdb::Iterator>, kFamilyCount> its_;
};

}  // namespace starlog::engine
