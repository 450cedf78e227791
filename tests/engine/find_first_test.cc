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
  auto none = f.View().FindDataset("raw", RegistryFixture::RawId(200, 3), {"defaults", "HSC/*"});
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
