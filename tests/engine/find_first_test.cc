#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using engine::DatasetQuery;
using engine::WhereClause;
using testutil::RegistryFixture;

namespace {

struct ChainFixture : RegistryFixture {
  ChainFixture() {
    for (const char* run : {"run/new", "run/old"}) CreateCollection(run, CollectionType::kRun);
    CreateCollection("defaults", CollectionType::kChained);
    SetChain("defaults", {"run/new", "run/old"});
    old_100 = AddRaw("run/old", 100, 1);
    old_101 = AddRaw("run/old", 101, 1);
    new_100 = AddRaw("run/new", 100, 1);
  }
  codec::Uuid old_100, old_101, new_100;
};

}  // namespace

TEST_CASE("Find-first takes the first match along the chain", "[engine][find]") {
  ChainFixture f;
  auto v = f.View();
  auto a = v.FindDataset("raw", RegistryFixture::RawId(100, 1), {"defaults"});
  REQUIRE(a.ok());
  CHECK(a->id == f.new_100);
  CHECK(a->collection == "run/new");
  auto b = v.FindDataset("raw", RegistryFixture::RawId(101, 1), {"defaults"});
  REQUIRE(b.ok());
  CHECK(b->id == f.old_101);
  CHECK(b->collection == "run/old");
  // Reordering the chain changes the answer, and the old answer stays as of then.
  const uint64_t before = f.head();
  f.SetChain("defaults", {"run/old", "run/new"});
  CHECK(f.View().FindDataset("raw", RegistryFixture::RawId(100, 1), {"defaults"})->id == f.old_100);
  CHECK(f.View(before).FindDataset("raw", RegistryFixture::RawId(100, 1), {"defaults"})->id ==
        f.new_100);
}

TEST_CASE("A lookup that finds nothing lists the collections it searched", "[engine][find]") {
  ChainFixture f;
  auto none =
      f.View().FindDataset("raw", RegistryFixture::RawId(200, 3), {"defaults", "HSC/raw/all"});
  CHECK(none.status().IsNotFound());
  CHECK(Says(none.status(), "run/new, run/old, HSC/raw/all"));
  auto bad_id = f.View().FindDataset("raw", RegistryFixture::BiasId(1), {"defaults"});
  CHECK(Says(bad_id.status(), "missing 'exposure'"));
  CHECK(f.View()
            .FindDataset("calexp", RegistryFixture::BiasId(1), {"defaults"})
            .status()
            .IsNotFound());
}

TEST_CASE("Components are found through their parent", "[engine][find]") {
  ChainFixture f;
  auto wcs = f.View().FindDataset("raw.wcs", RegistryFixture::RawId(100, 1), {"defaults"});
  REQUIRE(wcs.ok());
  CHECK(wcs->id == f.new_100);
  CHECK(wcs->dataset_type == "raw.wcs");
}

TEST_CASE("Calibrations and runs mix in one search path", "[engine][find]") {
  ChainFixture f;
  f.CreateCollection("calib", CollectionType::kCalibration);
  const codec::Uuid bias = f.AddBias("run/old", 1);
  f.Append(codec::Certify{"calib", "bias", {{bias, {0, 100}}}});
  f.SetChain("defaults", {"calib", "run/new", "run/old"});
  auto found = f.View().FindDataset("bias", RegistryFixture::BiasId(1), {"defaults"},
                                    codec::Timespan{10, 11});
  REQUIRE(found.ok());
  CHECK(found->collection == "calib");
  // Outside the validity, the search goes on to the RUN holding it.
  auto later = f.View().FindDataset("bias", RegistryFixture::BiasId(1), {"defaults"},
                                    codec::Timespan{500, 501});
  REQUIRE(later.ok());
  CHECK(later->collection == "run/old");
}

TEST_CASE("Dataset queries: find-first or all, with where clauses", "[engine][query]") {
  ChainFixture f;
  f.AddRaw("run/old", 200, 2);
  auto v = f.View();
  auto first = v.QueryDatasets({"raw", {"defaults"}, {}, true, std::nullopt});
  REQUIRE(first.ok());
  CHECK(first->size() == 3);  // (100,1) from run/new, (101,1) and (200,2) from run/old.
  auto all = v.QueryDatasets({"raw", {"defaults"}, {}, false, std::nullopt});
  REQUIRE(all.ok());
  CHECK(all->size() == 4);
  auto science = v.QueryDatasets(
      {"raw", {"defaults"}, *WhereClause::Parse("exposure.observation_type = science"), true, {}});
  REQUIRE(science.ok());
  CHECK(science->size() == 2);
  auto r_band = v.QueryDatasets({"raw", {"defaults"}, *WhereClause::Parse("band = r"), false, {}});
  REQUIRE(r_band.ok());
  CHECK(r_band->size() == 3);  // Exposures 100 (twice) and 200 were taken with HSC-R.
  auto by_key = v.QueryDatasets(
      {"raw", {"defaults"}, *WhereClause::Parse("detector = 2 AND instrument = HSC"), true, {}});
  REQUIRE(by_key.ok());
  REQUIRE(by_key->size() == 1);
  CHECK(by_key->front().data_id.at("exposure") == codec::FieldValue(int64_t{200}));
  auto bad = v.QueryDatasets({"raw", {"defaults"}, *WhereClause::Parse("tract = 5"), true, {}});
  CHECK(Says(bad.status(), "names nothing known"));
}

TEST_CASE("Data IDs of the datasets a query finds", "[engine][query]") {
  ChainFixture f;
  auto ids = f.View().QueryDataIds({"exposure"}, {},
                                   DatasetQuery{"raw", {"defaults"}, {}, true, std::nullopt});
  REQUIRE(ids.ok());
  CHECK(ids->size() == 2);  // Exposures 100 and 101, each once.
}

TEST_CASE("Lookups read through table files and their filters as through the memtable",
          "[engine][find]") {
  // Each session below ends in table files of its own (closing flushes), so
  // a lookup's versions and holders are spread over several files, each with
  // its bloom filter on the logical key or, for dataset_lookup, on the type
  // and data ID.
  RegistryFixture f;
  for (const char* c : {"run/a", "run/b"}) f.CreateCollection(c, CollectionType::kRun);
  f.CreateCollection("t", CollectionType::kTagged);
  f.CreateCollection("c", CollectionType::kChained);
  f.SetChain("c", {"t", "run/b", "run/a"});
  std::vector<codec::Uuid> in_a, in_b;
  for (int64_t d = 0; d < 4; ++d) in_a.push_back(f.AddRaw("run/a", 100, d));
  const uint64_t first = f.head();
  f.Reopen();
  for (int64_t d = 0; d < 2; ++d) in_b.push_back(f.AddRaw("run/b", 100, d));
  f.Append(codec::Tag{"t", {in_a[3]}});
  const uint64_t second = f.head();
  f.Reopen();
  f.Append(codec::Untag{"t", {in_a[3]}});
  f.Append(codec::Tag{"t", {in_a[2]}});
  f.Reopen();

  auto expect = [&](uint64_t as_of, int64_t detector, const codec::Uuid& id,
                    const std::string& collection) {
    INFO("as of " << as_of << ", detector " << detector);
    auto found = f.View(as_of).FindDataset("raw", RegistryFixture::RawId(100, detector), {"c"});
    REQUIRE(found.ok());
    CHECK(found->id == id);
    CHECK(found->collection == collection);
    CHECK(found->run == (collection == "t" ? "run/a" : collection));
  };
  for (int64_t d = 0; d < 4; ++d) expect(first, d, in_a[static_cast<size_t>(d)], "run/a");
  expect(second, 0, in_b[0], "run/b");
  expect(second, 3, in_a[3], "t");
  expect(second, 2, in_a[2], "run/a");
  expect(engine::kAtHead, 1, in_b[1], "run/b");
  expect(engine::kAtHead, 2, in_a[2], "t");
  expect(engine::kAtHead, 3, in_a[3], "run/a");
  CHECK(f.View().FindDataset("raw", RegistryFixture::RawId(101, 0), {"c"}).status().IsNotFound());
  CHECK(f.store().ComputeStateDigest()->total == f.store().head().state_digest);
}

TEST_CASE("Find-first refuses a pattern, whose matches have no order", "[engine][find]") {
  ChainFixture f;
  auto found = f.View().FindDataset("raw", RegistryFixture::RawId(100, 1), {"run/*"});
  CHECK(found.status().IsInvalidArgument());
  CHECK(Says(found.status(), "'run/*' is a pattern"));
  engine::DatasetQuery q{"raw", {"run/*"}, {}, true, std::nullopt};
  CHECK(f.View().QueryDatasets(q).status().IsInvalidArgument());
  q.find_first = false;  // Every match: the order does not matter.
  auto all = f.View().QueryDatasets(q);
  REQUIRE(all.ok());
  CHECK_FALSE(all->empty());
}
