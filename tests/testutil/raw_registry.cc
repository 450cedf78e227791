#include "tests/testutil/raw_registry.h"

#include <catch2/catch.hpp>
#include <vector>

#include "starlog/engine/event_store.h"

namespace starlog::testutil {

void WithRawRegistry(const std::string& root,
                     const std::function<void(rocksdb::DB*, RawFamilies&)>& fn) {
  const std::string path = engine::RegistryPath(root);
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db).ok());
  RawFamilies by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = handles[i];
  fn(db, by_name);
  for (auto& [name, h] : by_name) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
  REQUIRE(db->Close().ok());
  delete db;
}

rocksdb::ColumnFamilyHandle* FamilyHandle(const RawFamilies& families, engine::Family family) {
  const auto it = families.find(std::string(engine::FamilyName(family)));
  REQUIRE(it != families.end());
  return it->second;
}

}  // namespace starlog::testutil
