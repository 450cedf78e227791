// Point in time: views of the past, recorded digests, rebuild, diff, wait.

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "engine/store/event_store_impl.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/hash.h"
#include "starlog/engine/diff.h"
#include "starlog/engine/policy.h"
#include "starlog/engine/wait.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/raw_registry.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using testutil::RegistryFixture;

namespace {

struct HistoryFixture : RegistryFixture {
  HistoryFixture() {
    CreateCollection("run/a", CollectionType::kRun);
    CreateCollection("calib", CollectionType::kCalibration);
    CreateCollection("chain", CollectionType::kChained);
    SetChain("chain", {"run/a"});
    bias0 = AddBias("run/a", 0);
    Append(codec::Certify{"calib", "bias", {{bias0, {0, 100}}}});
    middle = head();
    bias1 = AddBias("run/a", 1);
    Append(codec::Decertify{"calib", "bias", {}, {50, 60}});
    CreateCollection("tagged", CollectionType::kTagged);
    Append(codec::Tag{"tagged", {bias1}});
    SetChain("chain", {"tagged", "run/a"});
    Append(codec::RemoveDatasets{{bias0}});
  }
  codec::Uuid bias0, bias1;
  uint64_t middle = 0;
};

// A new repository at "root", for tests that damage it.
std::unique_ptr<engine::EventStore> CreateRepo(const std::string& root) {
  engine::CreateOptions options;
  options.store.sync = false;
  auto store = engine::EventStore::Create(root, options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Closes "store" and lets "fn" damage the repository's RocksDB directly.
void CloseAndDamage(std::unique_ptr<engine::EventStore> store, const std::string& root,
                    const std::function<void(rocksdb::DB*, testutil::RawFamilies&)>& fn) {
  store.reset();
  testutil::WithRawRegistry(root, fn);
}

}  // namespace

TEST_CASE("The recorded digest at every event equals the recomputed state then",
          "[engine][history]") {
  HistoryFixture f;
  for (uint64_t s = 1; s <= f.head(); ++s) {
    INFO("sequence " << s);
    auto recorded = f.store().HeadAt(s);
    auto computed = f.store().ComputeStateDigest(s);
    REQUIRE(recorded.ok());
    REQUIRE(computed.ok());
    CHECK(computed->total == recorded->state_digest);
  }
  CHECK(f.store().HeadAt(f.head() + 1).status().IsNotFound());
}

TEST_CASE("Snapshots name a point, and views through them see it", "[engine][history]") {
  HistoryFixture f;
  f.Append(codec::CreateSnapshot{"before-prune", f.middle});
  CHECK(f.TryAppend(codec::CreateSnapshot{"before-prune", 1}).IsConflict());
  CHECK(f.TryAppend(codec::CreateSnapshot{"future", f.head() + 5}).IsInvalidArgument());
  CHECK(f.TryAppend(codec::CreateSnapshot{"bad name", 1}).IsInvalidArgument());
  auto at = f.View().SnapshotSequence("before-prune");
  REQUIRE(at.ok());
  REQUIRE(*at == f.middle);
  auto then = f.View(**at);
  CHECK((*then.GetDataset(f.bias0)).has_value());
  CHECK_FALSE((*f.View().GetDataset(f.bias0)).has_value());
  CHECK(*then.ResolveSearchPath({"chain"}) == std::vector<std::string>{"run/a"});
}

TEST_CASE("Lost indexes are detected at open, rebuild recovers them", "[engine][history]") {
  testutil::TempDir dir;
  engine::Head before;
  {
    auto store = CreateRepo(dir.path());
    REQUIRE(store->Append(codec::CreateCollection{"a", CollectionType::kRun, ""}, "x").ok());
    REQUIRE(store->Append(codec::CreateCollection{"b", CollectionType::kChained, ""}, "x").ok());
    REQUIRE(store->Append(codec::SetChain{"b", {"a"}}, "x").ok());
    before = store->head();
    CloseAndDamage(std::move(store), dir.path(), [](rocksdb::DB* db, auto& cf) {
      REQUIRE(db->DropColumnFamily(testutil::FamilyHandle(cf, engine::Family::kChains)).ok());
      REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "chains_tmp", &cf["x"]).ok());
      REQUIRE(db->DropColumnFamily(cf.at("x")).ok());
    });
  }
  // The chains family is gone: RocksDB recreates it empty, and starlog notices.
  auto open = engine::EventStore::Open(dir.path(), engine::StoreOptions());
  REQUIRE(open.status().IsCorruption());
  CHECK(Says(open.status(), "index chains is empty but should hold 1 entries"));
  CHECK(Says(open.status(), "starlog rebuild"));
  uint64_t calls = 0;
  REQUIRE(engine::EventStore::Rebuild(dir.path(), engine::StoreOptions(), [&](uint64_t, uint64_t) {
            ++calls;
          }).ok());
  CHECK(calls > 0);
  auto store = engine::EventStore::Open(dir.path(), engine::StoreOptions());
  REQUIRE(store.ok());
  CHECK((*store)->head().state_digest == before.state_digest);
  CHECK(*(*store)->View()->ResolveSearchPath({"b"}) == std::vector<std::string>{"a"});
}

TEST_CASE("Rebuild replays thousands of events in groups, each seeing the ones before",
          "[engine][history]") {
  // More events than one replay group holds (ReplayGroup::Full), with keys
  // that change back and forth inside a group and across its boundaries.
  RegistryFixture f;
  f.CreateCollection("run/a", CollectionType::kRun);
  f.CreateCollection("tagged", CollectionType::kTagged);
  std::vector<codec::Uuid> ids;
  for (int64_t d = 0; d < 4; ++d) ids.push_back(f.AddBias("run/a", d));
  for (int i = 0; i < 5000; ++i) {
    const codec::Uuid& id = ids[static_cast<size_t>(i / 2) % ids.size()];
    if (i % 2 == 0) {
      f.Append(codec::Tag{"tagged", {id}});
    } else {
      f.Append(codec::Untag{"tagged", {id}});
    }
  }
  f.Append(codec::Tag{"tagged", {ids[2]}});
  const engine::Head before = f.store().head();
  const std::string root = f.root();
  f.Close();
  REQUIRE(engine::EventStore::Rebuild(root, engine::StoreOptions()).ok());
  auto store = std::move(engine::EventStore::Open(root, engine::StoreOptions()).value());
  CHECK(store->head().state_digest == before.state_digest);
  CHECK(store->ComputeStateDigest()->total == before.state_digest);
  auto tagged = store->View()->FindDataset("bias", RegistryFixture::BiasId(2), {"tagged"});
  REQUIRE(tagged.ok());
  CHECK(tagged->id == ids[2]);
  CHECK(store->View()
            ->FindDataset("bias", RegistryFixture::BiasId(3), {"tagged"})
            .status()
            .IsNotFound());
}

TEST_CASE("A half-finished rebuild is refused at open and can be run again", "[engine][history]") {
  testutil::TempDir dir;
  {
    auto store = CreateRepo(dir.path());
    REQUIRE(store->Append(codec::CreateCollection{"a", CollectionType::kRun, ""}, "x").ok());
    CloseAndDamage(std::move(store), dir.path(), [](rocksdb::DB* db, auto& cf) {
      auto* meta = testutil::FamilyHandle(cf, engine::Family::kMeta);
      REQUIRE(db->Put(rocksdb::WriteOptions(), meta, engine::kMetaRebuilding, "1").ok());
    });
  }
  auto open = engine::EventStore::Open(dir.path(), engine::StoreOptions());
  CHECK(Says(open.status(), "half-rebuilt"));
  REQUIRE(engine::EventStore::Rebuild(dir.path(), engine::StoreOptions()).ok());
  REQUIRE(engine::EventStore::Open(dir.path(), engine::StoreOptions()).ok());
}

TEST_CASE("A follower opened after a rebuild catches up with later writes", "[engine][history]") {
  // A rebuild drops and recreates the index families; a RocksDB secondary
  // instance that replays those drops while catching up crashed (Debian's
  // RocksDB 7.8), so a rebuild leaves a fresh MANIFEST behind.
  testutil::TempDir dir;
  {
    auto store = CreateRepo(dir.path());
    REQUIRE(store->Append(codec::CreateCollection{"a", CollectionType::kRun, ""}, "x").ok());
  }
  engine::StoreOptions follow;
  follow.follow = true;
  {
    // Nor may a rebuild start under a follower.
    auto early = std::move(engine::EventStore::Open(dir.path(), follow)).value();
    const Status refused = engine::EventStore::Rebuild(dir.path(), engine::StoreOptions());
    CHECK(refused.IsUnavailable());
    CHECK(Says(refused, "is being followed"));
  }
  REQUIRE(engine::EventStore::Rebuild(dir.path(), engine::StoreOptions()).ok());
  auto follower = std::move(engine::EventStore::Open(dir.path(), follow)).value();
  REQUIRE(follower->Refresh().ok());
  {
    auto writer = std::move(engine::EventStore::Open(dir.path(), engine::StoreOptions())).value();
    REQUIRE(writer->Append(codec::CreateCollection{"b", CollectionType::kRun, ""}, "x").ok());
    REQUIRE(follower->Refresh().ok());
    CHECK(follower->head().sequence == writer->head().sequence);
  }
}

TEST_CASE("Rebuild names the first event whose replay disagrees with its record",
          "[engine][history]") {
  testutil::TempDir dir;
  {
    auto store = CreateRepo(dir.path());
    for (const char* name : {"a", "b", "c", "d"}) {
      REQUIRE(store->Append(codec::CreateCollection{name, CollectionType::kRun, ""}, "x").ok());
    }
    // Damage the digest recorded after event 3 (its chain hash stays intact).
    CloseAndDamage(std::move(store), dir.path(), [](rocksdb::DB* db, auto& cf) {
      std::string key = codec::SequenceKey(3);
      std::string value;
      auto* heads = testutil::FamilyHandle(cf, engine::Family::kHeads);
      REQUIRE(db->Get(rocksdb::ReadOptions(), heads, key, &value).ok());
      value[30] ^= 0x01;
      REQUIRE(db->Put(rocksdb::WriteOptions(), heads, key, value).ok());
    });
  }
  auto s = engine::EventStore::Rebuild(dir.path(), engine::StoreOptions());
  REQUIRE(s.IsCorruption());
  CHECK(Says(s, "event 3: the rebuilt state digest"));
}

TEST_CASE("Diff lists net changes between two points", "[engine][history]") {
  HistoryFixture f;
  auto d = engine::DiffRegistry(f.store(), f.middle, f.head());
  REQUIRE(d.ok());
  // Collections: "tagged" created, "chain" redefined.
  REQUIRE(d->collections.size() == 2);
  CHECK(d->collections[0].name == "chain");
  CHECK(d->collections[0].before->children == std::vector<std::string>{"run/a"});
  CHECK(d->collections[0].after->children == std::vector<std::string>{"tagged", "run/a"});
  CHECK(d->collections[1].name == "tagged");
  CHECK_FALSE(d->collections[1].before.has_value());
  REQUIRE(d->datasets_added.size() == 1);
  CHECK(d->datasets_added[0].id == f.bias1);
  REQUIRE(d->datasets_removed.size() == 1);
  CHECK(d->datasets_removed[0].id == f.bias0);
  // bias0's certification [0,100) ended (first split, then pruned); bias1 was tagged.
  int certs_removed = 0, tags_added = 0;
  for (const auto& m : d->memberships) {
    if (m.validity && !m.added && m.id == f.bias0) ++certs_removed;
    if (!m.validity && m.added && m.id == f.bias1) ++tags_added;
  }
  CHECK(certs_removed == 1);
  CHECK(tags_added == 1);
  auto nothing = engine::DiffRegistry(f.store(), f.head(), f.head());
  REQUIRE(nothing.ok());
  CHECK(nothing->collections.empty());
  CHECK(engine::DiffRegistry(f.store(), 5, 2).status().IsInvalidArgument());
}

TEST_CASE("Diff reports files attached and detached, and a changed policy", "[engine][history]") {
  RegistryFixture f;
  const codec::Uuid raw = f.AddRaw("HSC/raw/all", 100, 1);
  const uint64_t start = f.head();
  codec::Artifact file{"raw/100_1.fits", 10, codec::Xxh3_128("0123456789")};
  f.Append(codec::AttachArtifacts{{{raw, file}}});
  f.Append(engine::DefaultPolicy("tester"));
  auto d = engine::DiffRegistry(f.store(), start, f.head());
  REQUIRE(d.ok());
  REQUIRE(d->artifacts.size() == 1);
  CHECK(d->artifacts[0].id == raw);
  CHECK_FALSE(d->artifacts[0].before.has_value());
  CHECK(d->artifacts[0].after->path == "raw/100_1.fits");
  REQUIRE(d->policy.has_value());
  CHECK_FALSE(d->policy->before.has_value());
  const uint64_t attached = f.head();
  f.Append(codec::DetachArtifacts{{raw}});
  auto detached = engine::DiffRegistry(f.store(), attached, f.head());
  REQUIRE(detached.ok());
  REQUIRE(detached->artifacts.size() == 1);
  CHECK_FALSE(detached->artifacts[0].after.has_value());
  CHECK_FALSE(detached->policy.has_value());
}

TEST_CASE("WaitForDataset returns when another thread registers it", "[engine][wait]") {
  RegistryFixture f;
  const auto id = RegistryFixture::BiasId(3);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    f.AddBias("HSC/raw/all", 3);
  });
  const auto start = std::chrono::steady_clock::now();
  auto found = engine::WaitForDataset(f.store(), "bias", id, {"HSC/raw/all"}, std::nullopt,
                                      std::chrono::seconds(20));
  writer.join();
  REQUIRE(found.ok());
  CHECK(found->data_id == id);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("WaitForDataset times out clearly", "[engine][wait]") {
  RegistryFixture f;
  auto r = engine::WaitForDataset(f.store(), "bias", RegistryFixture::BiasId(2), {"HSC/raw/all"},
                                  std::nullopt, std::chrono::milliseconds(100));
  REQUIRE(r.status().IsTimedOut());
  CHECK(Says(r.status(), "in the collections searched: HSC/raw/all"));
  // Errors other than "not yet" come back at once.
  auto bad = engine::WaitForDataset(f.store(), "bias", RegistryFixture::RawId(1, 2),
                                    {"HSC/raw/all"}, std::nullopt, std::chrono::seconds(30));
  CHECK(bad.status().IsInvalidArgument());
}

TEST_CASE("Diff lists each record inserted or replaced, read by its key at both ends",
          "[engine][history]") {
  RegistryFixture f;
  const uint64_t start = f.head();
  const auto detector = [](int64_t d, const std::string& name) {
    return codec::FieldMap{
        {"instrument", std::string("HSC")}, {"detector", d}, {"full_name", name}};
  };
  codec::InsertDimensionRecords added{"detector", {}, false};
  for (int64_t d = 10; d < 60; ++d) added.records.push_back(detector(d, "ccd" + std::to_string(d)));
  f.Append(added);
  f.Append(codec::InsertDimensionRecords{"detector", {detector(1, "renamed")}, true});
  // Identical again: no event, no change.
  f.Append(codec::InsertDimensionRecords{"detector", {detector(2, "ccd2")}, true});
  auto d = engine::DiffRegistry(f.store(), start, f.head());
  REQUIRE(d.ok());
  REQUIRE(d->records.size() == 51);
  std::map<int64_t, engine::RecordChange> by_detector;
  for (const auto& r : d->records) {
    CHECK(r.element == "detector");
    by_detector.emplace(std::get<int64_t>(r.after.at("detector")), r);
  }
  REQUIRE(by_detector.size() == 51);
  CHECK(by_detector.at(1).before == detector(1, "ccd1"));
  CHECK(by_detector.at(1).after == detector(1, "renamed"));
  CHECK_FALSE(by_detector.at(10).before.has_value());
  CHECK(by_detector.at(59).after == detector(59, "ccd59"));
  CHECK(by_detector.count(2) == 0);
}
