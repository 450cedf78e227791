#pragma once

// A pool of RocksDB iterators per index family, created on first use and
// re-Seek()ed after that: creating an iterator costs far more than a seek. An
// iterator sees the database as it was when created, which is what a view at
// a fixed sequence, or the validation of events under the writer's lock, needs.
//
// Point reads and scans need iterators of their own kind (family_options.h):
// "scan" chooses. Thread-safe: Get() hands an iterator out for the lease's
// lifetime and takes it back after; a second lease of the same family while
// the first is held (a scan whose callback reads the same family) gets
// another iterator. The cache must be destroyed before the database is closed.

#include <rocksdb/db.h>

#include <array>
#include <memory>
#include <vector>

#include "engine/store/db_handles.h"
#include "engine/store/family_options.h"
#include "starlog/mutex.h"
#include "starlog/thread_annotations.h"

namespace starlog::engine {

class IteratorCache {
 public:
  explicit IteratorCache(const DbHandles& handles) : h_(handles) {}

  class Lease {
   public:
    Lease(IteratorCache* owner, int slot, std::unique_ptr<rocksdb::Iterator> it)
        : owner_(owner), slot_(slot), it_(std::move(it)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (it_) owner_->Return(slot_, std::move(it_));
    }
    rocksdb::Iterator* operator->() const { return it_.get(); }
    rocksdb::Iterator* get() const { return it_.get(); }

   private:
    IteratorCache* owner_;
    int slot_;
    std::unique_ptr<rocksdb::Iterator> it_;
  };

  Lease Get(Family family, bool scan) {
    const int i = static_cast<int>(family) * 2 + (scan ? 1 : 0);
    {
      MutexLock lock(&mu_);
      if (!idle_[i].empty()) {
        std::unique_ptr<rocksdb::Iterator> it = std::move(idle_[i].back());
        idle_[i].pop_back();
        return Lease(this, i, std::move(it));
      }
    }
    return Lease(this, i,
                 std::unique_ptr<rocksdb::Iterator>(
                     h_.db->NewIterator(scan ? ScanOptions() : PointReadOptions(), h_[family])));
  }

 private:
  void Return(int slot, std::unique_ptr<rocksdb::Iterator> it) {
    MutexLock lock(&mu_);
    idle_[slot].push_back(std::move(it));
  }

  const DbHandles h_;
  Mutex mu_;
  // By family and kind: [2 * family + scan].
  std::array<std::vector<std::unique_ptr<rocksdb::Iterator>>, 2 * kFamilyCount> idle_
      GUARDED_BY(mu_);
};

}  // namespace starlog::engine
