// Format version 2: index keys hold data IDs' values without their key
// names; a repository of version 1 is refused at open and converted by a
// rebuild, which answers as before.

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "engine/store/column_families.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/meta_keys.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/data_id.h"
#include "starlog/codec/event_text.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/where.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/raw_registry.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using testutil::RegistryFixture;

namespace {

// Datasets in a RUN, a TAGGED and a CALIBRATION collection, behind a chain.
struct ConvertFixture : RegistryFixture {
  ConvertFixture() {
    CreateCollection("calib", CollectionType::kCalibration);
    CreateCollection("tagged", CollectionType::kTagged);
    CreateCollection("chain", CollectionType::kChained);
    SetChain("chain", {"tagged", "HSC/raw/all"});
    for (int64_t d = 0; d < 4; ++d) {
      AddRaw("HSC/raw/all", 100, d);
      AddRaw("HSC/raw/all", 101, d);
    }
    const codec::Uuid bias0 = AddBias("HSC/raw/all", 0);
    const codec::Uuid bias1 = AddBias("HSC/raw/all", 1);
    Append(codec::Certify{"calib", "bias", {{bias0, {0, 100}}, {bias1, {50, 200}}}});
    Append(codec::Tag{"tagged", {bias1}});
  }
};

std::string Describe(const engine::DatasetRef& ref) {
  return ref.id.ToString() + " " + ref.dataset_type + " " + ref.run + " " + ref.collection + " {" +
         codec::FieldMapToString(ref.data_id) + "} {" + codec::FieldMapToString(ref.implied) + "}" +
         (ref.validity ? " " + codec::TimespanToString(*ref.validity) : "");
}

std::string Describe(const Result<engine::DatasetRef>& ref) {
  return ref.ok() ? Describe(*ref) : ref.status().ToString();
}

// What the registry answers: find-first, query-datasets (with a --where
// equality that narrows the scan), dimension records, calibration lookups,
// a dataset by its id, data IDs.
std::string Answers(const engine::RegistryView& view) {
  std::string out;
  out += Describe(view.FindDataset("raw", RegistryFixture::RawId(101, 2), {"chain"})) + "\n";
  out += Describe(view.FindDataset("bias", RegistryFixture::BiasId(1), {"chain"})) + "\n";
  out += Describe(view.FindDataset("bias", RegistryFixture::BiasId(0), {"calib"},
                                   codec::Timespan{10, 11})) +
         "\n";
  out += Describe(view.FindDataset("bias", RegistryFixture::BiasId(1), {"calib"},
                                   codec::Timespan{150, 151})) +
         "\n";
  for (const char* where : {"", "exposure = 101", "detector = 3 AND instrument = 'HSC'"}) {
    engine::DatasetQuery q;
    q.dataset_type = "raw";
    q.collections = {"chain"};
    q.where = engine::WhereClause::Parse(where).value();
    auto refs = view.QueryDatasets(q);
    REQUIRE(refs.ok());
    out += "raw where " + std::string(where) + ":\n";
    for (const auto& ref : *refs) out += "  " + Describe(ref) + "\n";
    if (refs->empty()) continue;
    auto by_id = view.GetDataset(refs->front().id);
    REQUIRE(by_id.ok());
    REQUIRE(by_id->has_value());
    out += "  by id: " + Describe(**by_id) + "\n";
  }
  engine::DatasetQuery calib;
  calib.dataset_type = "bias";
  calib.collections = {"calib"};
  calib.find_first = false;
  auto certified = view.QueryDatasets(calib);
  REQUIRE(certified.ok());
  for (const auto& ref : *certified) out += "certified " + Describe(ref) + "\n";
  for (const char* element : {"detector", "exposure", "physical_filter"}) {
    auto records = view.QueryDimensionRecords(element, engine::WhereClause());
    REQUIRE(records.ok());
    for (const auto& r : *records)
      out += std::string(element) + " {" + codec::FieldMapToString(r) + "}\n";
  }
  auto exposure = view.GetDimensionRecord("exposure", RegistryFixture::RawId(100, 0));
  REQUIRE(exposure.ok());
  REQUIRE(exposure->has_value());
  out += "exposure 100: {" + codec::FieldMapToString(**exposure) + "}\n";
  auto ids = view.QueryDataIds({"detector"}, engine::WhereClause::Parse("detector > 1").value());
  REQUIRE(ids.ok());
  for (const auto& d : *ids) out += "data ID {" + codec::FieldMapToString(d) + "}\n";
  return out;
}

// Every key of "family" in the closed repository at "root".
std::vector<std::string> RawKeys(const std::string& root, engine::Family family) {
  std::vector<std::string> keys;
  testutil::WithRawRegistry(root, [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), testutil::FamilyHandle(cf, family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    REQUIRE(it->status().ok());
  });
  return keys;
}

// Writes "version" as the closed repository's format version.
void SetFormatVersion(const std::string& root, uint32_t version) {
  testutil::WithRawRegistry(root, [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    std::string bytes;
    codec::PutFixed32(&bytes, version);
    REQUIRE(db->Put(rocksdb::WriteOptions(), testutil::FamilyHandle(cf, engine::Family::kMeta),
                    std::string(engine::kMetaFormatVersion), bytes)
                .ok());
  });
}

// Alters the state digests recorded for events "first" to "last" in the
// closed repository at "root", as version 1 recorded digests of other keys;
// the chain hashes stay intact.
void AlterRecordedDigests(const std::string& root, uint64_t first, uint64_t last) {
  testutil::WithRawRegistry(root, [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    auto* heads = testutil::FamilyHandle(cf, engine::Family::kHeads);
    for (uint64_t seq = first; seq <= last; ++seq) {
      std::string value;
      REQUIRE(db->Get({}, heads, codec::SequenceKey(seq), &value).ok());
      value[30] ^= 0x01;  // In the state digest (bytes 24 to 39).
      REQUIRE(db->Put({}, heads, codec::SequenceKey(seq), value).ok());
    }
  });
}

}  // namespace

TEST_CASE("Index keys hold data IDs without their key names", "[engine][format]") {
  ConvertFixture f;
  f.Close();
  for (engine::Family family :
       {engine::Family::kDatasets, engine::Family::kDatasetLookup, engine::Family::kTags,
        engine::Family::kCalibrations, engine::Family::kDimensionRecords}) {
    const auto keys = RawKeys(f.root(), family);
    INFO(engine::FamilyName(family));
    REQUIRE(!keys.empty());
    for (std::string key : keys) {
      // A record's key begins with its element's name: the data ID follows.
      if (family == engine::Family::kDimensionRecords) {
        key.erase(0, key.find(std::string("\0\x01", 2)) + 2);
      }
      CHECK(key.find("detector") == std::string::npos);
      CHECK(key.find("instrument") == std::string::npos);
      CHECK(key.find("exposure") == std::string::npos);
    }
  }
}

TEST_CASE("A repository of format version 1 is refused, and a rebuild converts it",
          "[engine][format]") {
  ConvertFixture f;
  const std::string before = Answers(f.View());
  const engine::Head head = f.store().head();
  f.Close();
  // Version 1 as a repository of that version reads: its meta says so, and
  // its recorded digests are of other index keys than this build writes.
  SetFormatVersion(f.root(), 1);
  AlterRecordedDigests(f.root(), 1, 3);

  engine::StoreOptions read_only;
  read_only.read_only = true;
  for (const engine::StoreOptions& options : {engine::StoreOptions(), read_only}) {
    auto refused = engine::EventStore::Open(f.root(), options);
    REQUIRE(!refused.ok());
    INFO(refused.status().ToString());
    CHECK(refused.status().IsNotSupported());
    CHECK(Says(refused.status(), "has format version 1, older than this starlog's 2"));
    CHECK(Says(refused.status(), "run `starlog rebuild " + f.root() + "` to convert it"));
  }

  uint32_t converted_from = 0;
  const Status rebuilt =
      engine::EventStore::Rebuild(f.root(), engine::StoreOptions(), nullptr, &converted_from);
  INFO(rebuilt.ToString());
  REQUIRE(rebuilt.ok());
  CHECK(converted_from == 1);
  {
    auto store = engine::EventStore::Open(f.root(), engine::StoreOptions());
    REQUIRE(store.ok());
    auto info = (*store)->Info();
    REQUIRE(info.ok());
    CHECK(info->format_version == 2);
    CHECK((*store)->head().sequence == head.sequence);
    CHECK((*store)->head().chain_hash == head.chain_hash);
    CHECK((*store)->head().state_digest == head.state_digest);
    auto view = (*store)->View();
    REQUIRE(view.ok());
    CHECK(Answers(*view) == before);
    // It takes new events as any repository.
    auto raw = view->FindDataset("raw", RegistryFixture::RawId(100, 0), {"HSC/raw/all"});
    REQUIRE(raw.ok());
    REQUIRE((*store)->Append(codec::Tag{"tagged", {raw->id}}, "x").ok());
  }
  // The digests it recorded are those a rebuild checks every event against.
  converted_from = 7;
  REQUIRE(
      engine::EventStore::Rebuild(f.root(), engine::StoreOptions(), nullptr, &converted_from).ok());
  CHECK(converted_from == 0);
}

TEST_CASE("A repository of a newer format version is refused, rebuild or not", "[engine][format]") {
  RegistryFixture f;
  f.Close();
  SetFormatVersion(f.root(), 3);
  auto open = engine::EventStore::Open(f.root(), engine::StoreOptions());
  CHECK(open.status().IsNotSupported());
  CHECK(Says(open.status(), "has format version 3; this starlog reads 2"));
  const Status rebuilt = engine::EventStore::Rebuild(f.root(), engine::StoreOptions());
  CHECK(rebuilt.IsNotSupported());
  CHECK(Says(rebuilt, "has format version 3"));
}

TEST_CASE("A conversion that stops part way says so to every starlog, and is run again",
          "[engine][format]") {
  ConvertFixture f;
  const std::string before = Answers(f.View());
  const engine::Head head = f.store().head();
  f.Close();
  SetFormatVersion(f.root(), 1);
  // A damaged frame stops the replay part way: after the conversion's first
  // write, before its last.
  std::string frame;
  const auto put_frame = [&](const std::string& bytes) {
    testutil::WithRawRegistry(f.root(), [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
      REQUIRE(db->Put({}, testutil::FamilyHandle(cf, engine::Family::kLog), codec::SequenceKey(5),
                      bytes)
                  .ok());
    });
  };
  testutil::WithRawRegistry(f.root(), [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    REQUIRE(
        db->Get({}, testutil::FamilyHandle(cf, engine::Family::kLog), codec::SequenceKey(5), &frame)
            .ok());
  });
  std::string damaged = frame;
  damaged[damaged.size() / 2] ^= 0x01;
  put_frame(damaged);
  // Digests of other keys than this build's, as version 1 recorded them,
  // past the damage: a rerun that checked them would stop at event 6.
  AlterRecordedDigests(f.root(), 6, 8);
  REQUIRE(head.sequence > 8);
  uint32_t converted_from = 7;
  CHECK(!engine::EventStore::Rebuild(f.root(), engine::StoreOptions(), nullptr, &converted_from)
             .ok());
  // Its format version already reads 2, so that a starlog of version 1
  // refuses it rather than checking digests it does not compute, and it
  // keeps the version it converts from.
  testutil::WithRawRegistry(f.root(), [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    auto* meta = testutil::FamilyHandle(cf, engine::Family::kMeta);
    std::string value;
    REQUIRE(db->Get({}, meta, std::string(engine::kMetaFormatVersion), &value).ok());
    CHECK(codec::DecodeFixed32(value.data()) == 2);
    REQUIRE(db->Get({}, meta, std::string(engine::kMetaConverting), &value).ok());
    CHECK(codec::DecodeFixed32(value.data()) == 1);
  });
  // Mended, the next rebuild goes on converting: it does not check the
  // version-1 digests of the events the first one did not reach.
  put_frame(frame);
  auto refused = engine::EventStore::Open(f.root(), engine::StoreOptions());
  REQUIRE(!refused.ok());
  INFO(refused.status().ToString());
  CHECK(Says(refused.status(), "run `starlog rebuild " + f.root() + "`"));
  REQUIRE(
      engine::EventStore::Rebuild(f.root(), engine::StoreOptions(), nullptr, &converted_from).ok());
  CHECK(converted_from == 1);
  auto store = engine::EventStore::Open(f.root(), engine::StoreOptions());
  REQUIRE(store.ok());
  CHECK((*store)->head().state_digest == head.state_digest);
  auto view = (*store)->View();
  REQUIRE(view.ok());
  CHECK(Answers(*view) == before);
}

TEST_CASE("Repair takes a repository of format version 1 and converts it", "[engine][format]") {
  ConvertFixture f;
  const std::string before = Answers(f.View());
  f.Close();
  SetFormatVersion(f.root(), 1);
  auto report = engine::EventStore::Repair(f.root(), engine::StoreOptions());
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK(report->rebuilt_indexes);
  CHECK(report->dropped() == 0);
  auto store = engine::EventStore::Open(f.root(), engine::StoreOptions());
  REQUIRE(store.ok());
  auto info = (*store)->Info();
  REQUIRE(info.ok());
  CHECK(info->format_version == 2);
  auto view = (*store)->View();
  REQUIRE(view.ok());
  CHECK(Answers(*view) == before);
}
