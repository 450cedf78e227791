// The butler's query-datasets over several dataset types, with an order and
// a limit (issue 17, item 12): RegistryView::ForEachDataset of a
// DatasetSearch.

#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using testutil::RegistryFixture;

namespace {

// Raws of exposures 100, 101, 200 and 300 (a record of keys alone: no
// filter, no observation type) x detectors 1, 2 in
// HSC/raw/all, a raw of 100/1 shadowing it in u/a/run, biases of detectors
// 0-2 in HSC/calib/run, and a calexp type with no datasets.
struct SearchFixture : RegistryFixture {
  SearchFixture() {
    Append(codec::RegisterDatasetType{
        "calexp", {"instrument", "exposure", "detector"}, "ExposureF", false});
    Append(codec::InsertDimensionRecords{
        "exposure", {{{"instrument", std::string("HSC")}, {"exposure", int64_t{300}}}}, false});
    for (int64_t e : {100, 101, 200, 300}) {
      for (int64_t d : {1, 2}) AddRaw("HSC/raw/all", e, d);
    }
    CreateCollection("u/a/run", CollectionType::kRun);
    shadow = AddRaw("u/a/run", 100, 1);
    CreateCollection("HSC/calib/run", CollectionType::kRun);
    for (int64_t d : {0, 1, 2}) AddBias("HSC/calib/run", d);
  }

  Result<std::vector<engine::DatasetRef>> Search(std::vector<std::string> types,
                                                 std::vector<std::string> order_by = {},
                                                 uint64_t limit = 0, bool find_first = true) {
    engine::DatasetSearch search;
    search.dataset_types = std::move(types);
    search.query.collections = {"u/a/run", "HSC/raw/all", "HSC/calib/run"};
    search.query.find_first = find_first;
    search.order_by = std::move(order_by);
    search.limit = limit;
    return View().QueryDatasets(search);
  }

  codec::Uuid shadow;
};

// "type exposure/detector" (or "type detector") of each row, in order.
std::vector<std::string> Rows(const std::vector<engine::DatasetRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) {
    std::string row = r.dataset_type;
    if (r.data_id.count("exposure")) {
      row += " " + std::to_string(std::get<int64_t>(r.data_id.at("exposure"))) + "/";
    } else {
      row += " ";
    }
    row += std::to_string(std::get<int64_t>(r.data_id.at("detector")));
    out.push_back(row);
  }
  return out;
}

}  // namespace

TEST_CASE("A search over several types and globs answers each type's rows together, by name",
          "[engine][query]") {
  SearchFixture f;
  auto named = f.Search({"raw", "bias"});
  REQUIRE(named.ok());
  // Each type's rows in search order: the collections in turn, each in key
  // order (detector before exposure).
  CHECK(Rows(*named) == std::vector<std::string>{"bias 0", "bias 1", "bias 2", "raw 100/1",
                                                 "raw 101/1", "raw 200/1", "raw 300/1", "raw 100/2",
                                                 "raw 101/2", "raw 200/2", "raw 300/2"});
  // Find-first per type: 100/1 from u/a/run, the first collection.
  CHECK((*named)[3].id == f.shadow);
  CHECK((*named)[3].collection == "u/a/run");
  // Every type, a glob, and a name given twice (or matched twice) are the same.
  for (const auto& types : std::vector<std::vector<std::string>>{
           {}, {"*"}, {"b*", "r?w"}, {"raw", "bias", "raw", "*a*"}}) {
    auto all = f.Search(types);
    REQUIRE(all.ok());
    CHECK(Rows(*all) == Rows(*named));
  }
  auto every = f.Search({"raw"}, {}, 0, /*find_first=*/false);
  REQUIRE(every.ok());
  CHECK(every->size() == 9);  // The shadowed 100/1 too.
  auto none = f.Search({"zz*"});
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto unknown = f.Search({"raw", "nope"});
  CHECK(unknown.status().IsNotFound());
  CHECK(Says(unknown.status(), "nope"));
  CHECK(Says(f.Search({"raw[x"}).status(), "raw[x"));
  auto component = f.Search({"raw.wcs"});
  REQUIRE(component.ok());
  REQUIRE(component->size() == 8);
  CHECK(component->front().dataset_type == "raw.wcs");
}

TEST_CASE("A search orders each type's rows by keys, implied values and record fields",
          "[engine][query]") {
  SearchFixture f;
  auto by_detector = f.Search({"raw"}, {"-detector", "exposure"});
  REQUIRE(by_detector.ok());
  CHECK(Rows(*by_detector) == std::vector<std::string>{"raw 100/2", "raw 101/2", "raw 200/2",
                                                       "raw 300/2", "raw 100/1", "raw 101/1",
                                                       "raw 200/1", "raw 300/1"});
  // band (implied, from the exposure's filter): i before r, and exposure
  // 300 (no filter, so no band) after both; ties keep the search order.
  auto by_band = f.Search({"raw"}, {"band"});
  REQUIRE(by_band.ok());
  CHECK(Rows(*by_band) == std::vector<std::string>{"raw 101/1", "raw 101/2", "raw 100/1",
                                                   "raw 200/1", "raw 100/2", "raw 200/2",
                                                   "raw 300/1", "raw 300/2"});
  // A record field, qualified or bare (only the exposure has one so named);
  // rows without a value last, descending too.
  for (const char* field : {"-exposure.observation_type", "-observation_type"}) {
    auto by_type = f.Search({"raw"}, {field, "-exposure"});
    REQUIRE(by_type.ok());
    CHECK(Rows(*by_type) == std::vector<std::string>{"raw 101/1", "raw 101/2", "raw 100/1",
                                                     "raw 100/2", "raw 200/1", "raw 200/2",
                                                     "raw 300/1", "raw 300/2"});
  }
  // Each type is ordered by what its data IDs have.
  auto both = f.Search({"raw", "bias"}, {"-detector"}, 5);
  REQUIRE(both.ok());
  CHECK(Rows(*both) ==
        std::vector<std::string>{"bias 2", "bias 1", "bias 0", "raw 100/2", "raw 101/2"});
  for (const char* bad : {"nope", "exposure.nope", "tract", "-", "detector.full_name.x.y"}) {
    auto refused = f.Search({"raw"}, {bad});
    INFO(bad);
    CHECK(refused.status().IsInvalidArgument());
    CHECK(Says(refused.status(), bad));
  }
  // bias has no exposure: an error naming the type, even with no rows asked.
  auto lacking = f.Search({"bias", "raw"}, {"exposure"});
  CHECK(lacking.status().IsInvalidArgument());
  CHECK(Says(lacking.status(), "bias: order by 'exposure'"));
}

TEST_CASE("A search's limit counts rows over every type, and stops the scan", "[engine][query]") {
  SearchFixture f;
  for (uint64_t limit : {1, 3, 4, 11, 12, 100}) {
    auto limited = f.Search({"bias", "raw"}, {}, limit);
    REQUIRE(limited.ok());
    auto all = f.Search({"bias", "raw"});
    REQUIRE(all.ok());
    INFO(limit);
    all->resize(std::min<size_t>(all->size(), limit));
    CHECK(Rows(*limited) == Rows(*all));
  }
  // A callback that stops early is obeyed across types.
  engine::DatasetSearch search;
  search.query.collections = {"HSC/raw/all", "HSC/calib/run"};
  size_t seen = 0;
  REQUIRE(f.View().ForEachDataset(search, [&](engine::DatasetRef&&) { return ++seen < 4; }).ok());
  CHECK(seen == 4);
}
