#include "tests/engine/raw_indexes.h"

#include <catch2/catch.hpp>

#include "engine/model/membership_check.h"
#include "engine/store/content_digest.h"
#include "engine/store/family_options.h"
#include "starlog/engine/event_store.h"

namespace starlog::testutil {

RawIndexes::RawIndexes(const std::string& root) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < engine::kFamilyCount; ++i) {
    descriptors.emplace_back(std::string(engine::kFamilyNames[i]),
                             engine::FamilyOptions(static_cast<engine::Family>(i)));
  }
  REQUIRE(
      rocksdb::DB::Open(rocksdb::DBOptions(), engine::RegistryPath(root), descriptors, &all_, &db_)
          .ok());
  h_.db = db_;
  for (int i = 0; i < engine::kFamilyCount; ++i) h_.cf[i] = all_[i + 1];
}

RawIndexes::~RawIndexes() {
  for (auto* cf : all_) static_cast<void>(db_->DestroyColumnFamilyHandle(cf));
  delete db_;
}

Status RawIndexes::Check(uint64_t as_of) const {
  return engine::CheckMemberships(engine::IndexReader(h_, as_of));
}

void RawIndexes::Put(uint64_t sequence, engine::Family family, const std::string& logical_key,
                     const std::string& payload) {
  rocksdb::WriteBatch wb;
  engine::IndexBatch batch(h_, sequence, &wb);
  REQUIRE(batch.Put(family, logical_key, payload).ok());
  REQUIRE(db_->Write(rocksdb::WriteOptions(), &wb).ok());
}

void RawIndexes::ForgetContentDigests() {
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), h_[engine::Family::kMeta]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key.rfind(engine::kMetaCollectionDigestPrefix, 0) == 0 ||
        key.rfind(engine::kMetaRecordDigestPrefix, 0) == 0 ||
        key == engine::kMetaContentDigestsBuilt) {
      REQUIRE(wb.Delete(h_[engine::Family::kMeta], key).ok());
    }
  }
  REQUIRE(it->status().ok());
  REQUIRE(db_->Write(rocksdb::WriteOptions(), &wb).ok());
}

Status CheckRepositoryMemberships(const std::string& root) { return RawIndexes(root).Check(); }

}  // namespace starlog::testutil
