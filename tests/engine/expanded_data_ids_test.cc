// Implied values in results and temporal joins (issue 17, items 7 and 5).

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using codec::FieldMap;
using codec::Timespan;
using testutil::RegistryFixture;

namespace {

std::string S(const char* s) { return s; }

// Exposures 300 and 301 (HSC-R) at [1000, 1100) and [5000, 5100); 302 at
// [2900, 3100); 400 with no filter or day record at all. Bias for detector 1
// certified in HSC/calib: "early" [0, 3000), "late" [3000, end of time).
struct TimedFixture : RegistryFixture {
  TimedFixture() {
    const auto exposure = [](int64_t id, int64_t begin, int64_t end) {
      return FieldMap{{"instrument", S("HSC")},
                      {"exposure", id},
                      {"physical_filter", S("HSC-R")},
                      {"day_obs", int64_t{20240301}},
                      {"observation_type", S("science")},
                      {"timespan_begin", begin},
                      {"timespan_end", end}};
    };
    Append(codec::InsertDimensionRecords{"exposure",
                                         {exposure(300, 1000, 1100),
                                          exposure(301, 5000, 5100),
                                          exposure(302, 2900, 3100),
                                          {{"instrument", S("HSC")}, {"exposure", int64_t{400}}}},
                                         false});
    CreateCollection("HSC/calib", CollectionType::kCalibration);
    CreateCollection("HSC/calib/run1", CollectionType::kRun);
    CreateCollection("HSC/calib/run2", CollectionType::kRun);
    early = AddBias("HSC/calib/run1", 1);
    late = AddBias("HSC/calib/run2", 1);
    Append(codec::Certify{
        "HSC/calib", "bias", {{early, {0, 3000}}, {late, {3000, codec::kUnboundedEnd}}}});
  }
  Result<std::vector<engine::DatasetRef>> Biases(const std::string& where) {
    return View().QueryDatasets(
        {"bias", {"HSC/calib"}, *engine::WhereClause::Parse(where), true, std::nullopt});
  }
  codec::Uuid early, late;
};

}  // namespace

TEST_CASE("A raw's data ID in results carries its implied values, from its records",
          "[engine][dimensions]") {
  TimedFixture f;
  f.AddRaw("HSC/raw/all", 101, 2);
  f.AddRaw("HSC/raw/all", 400, 2);
  auto refs = f.View().QueryDatasets({"raw", {"HSC/raw/all"}, {}, true, std::nullopt});
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 2);
  for (const auto& r : *refs) {
    CHECK(r.data_id.size() == 3);  // The required values stay as they were.
    if (std::get<int64_t>(r.data_id.at("exposure")) == 101) {
      CHECK(r.implied == FieldMap{{"band", S("i")},
                                  {"day_obs", int64_t{20240302}},
                                  {"physical_filter", S("HSC-I")}});
    } else {
      CHECK(r.implied.empty());  // Its record names no filter: absent, not invented.
    }
  }
  auto found = f.View().FindDataset("raw", RegistryFixture::RawId(101, 2), {"HSC/raw/all"});
  REQUIRE(found.ok());
  CHECK(found->implied.at("band") == codec::FieldValue(S("i")));
  auto by_id = f.View().GetDataset(found->id);
  REQUIRE(by_id.ok());
  CHECK((*by_id)->implied == found->implied);
}

TEST_CASE("Data IDs from query-data-ids carry implied values, a relation joins visits",
          "[engine][dimensions]") {
  TimedFixture f;
  auto ids = f.View().QueryDataIds({"exposure"}, *engine::WhereClause::Parse("exposure = 100"));
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 1);
  CHECK(ids->front().at("band") == codec::FieldValue(S("r")));
  CHECK(ids->front().at("physical_filter") == codec::FieldValue(S("HSC-R")));
  // Required then implied, instrument first, as the butler prints them.
  const std::vector<std::string> keys = {"band", "day_obs", "exposure", "instrument",
                                         "physical_filter"};
  CHECK(f.View().universe().DataIdKeyOrder(keys) ==
        std::vector<std::string>{"instrument", "exposure", "band", "physical_filter", "day_obs"});
}

TEST_CASE("A view's lookups keep the records of its moment, however many it has read",
          "[engine][dimensions]") {
  TimedFixture f;
  f.AddRaw("HSC/raw/all", 300, 1);
  const auto filter_of = [&](const engine::RegistryView& view) {
    auto found = view.FindDataset("raw", RegistryFixture::RawId(300, 1), {"HSC/raw/all"});
    REQUIRE(found.ok());
    return found->implied.at("physical_filter");
  };
  const engine::RegistryView before = f.View();
  CHECK(filter_of(before) == codec::FieldValue(S("HSC-R")));
  f.Append(codec::InsertDimensionRecords{"exposure",
                                         {{{"instrument", S("HSC")},
                                           {"exposure", int64_t{300}},
                                           {"physical_filter", S("HSC-I")},
                                           {"day_obs", int64_t{20240301}},
                                           {"timespan_begin", int64_t{1000}},
                                           {"timespan_end", int64_t{1100}}}},
                                         true});
  const engine::RegistryView after = f.View();
  CHECK(filter_of(after) == codec::FieldValue(S("HSC-I")));
  CHECK(filter_of(before) == codec::FieldValue(S("HSC-R")));  // Its own, not the newer view's.

  // More records than a view keeps between lookups (registry_view_impl.h),
  // each row's implied values read from its own, in one query and again.
  constexpr int64_t kMany = 6000;
  codec::InsertDimensionRecords many{"exposure", {}, false};
  for (int64_t x = 10'000; x < 10'000 + kMany; ++x) {
    many.records.push_back({{"instrument", S("HSC")},
                            {"exposure", x},
                            {"physical_filter", S(x % 2 ? "HSC-I" : "HSC-R")}});
  }
  f.Append(many);
  const engine::RegistryView view = f.View();
  for (int pass = 0; pass < 2; ++pass) {
    auto ids = view.QueryDataIds({"exposure"}, *engine::WhereClause::Parse("exposure >= 10000"));
    REQUIRE(ids.ok());
    REQUIRE(ids->size() == static_cast<size_t>(kMany));
    size_t right = 0;
    for (const FieldMap& id : *ids) {
      const bool odd = std::get<int64_t>(id.at("exposure")) % 2;
      right += id.at("physical_filter") == codec::FieldValue(S(odd ? "HSC-I" : "HSC-R")) &&
               id.at("band") == codec::FieldValue(S(odd ? "i" : "r"));
    }
    CHECK(right == static_cast<size_t>(kMany));
  }
  CHECK(filter_of(view) == codec::FieldValue(S("HSC-I")));
}

TEST_CASE("A calibration query over exposures finds one per exposure and detector",
          "[engine][calib]") {
  TimedFixture f;
  auto refs = f.Biases("exposure IN (300, 301)");
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 2);  // Only detector 1 has biases.
  std::map<int64_t, codec::Uuid> by_exposure;
  for (const auto& r : *refs) {
    CHECK(r.data_id == RegistryFixture::BiasId(1));
    by_exposure[std::get<int64_t>(r.joined.at("exposure"))] = r.id;
    CHECK(r.joined.at("physical_filter") == codec::FieldValue(S("HSC-R")));
  }
  CHECK(by_exposure.at(300) == f.early);
  CHECK(by_exposure.at(301) == f.late);
  // An exposure whose timespan falls in two validity ranges is ambiguous.
  auto both = f.Biases("exposure = 302");
  REQUIRE(both.status().IsConflict());
  CHECK(Says(both.status(), f.early.ToString()));
  CHECK(Says(both.status(), f.late.ToString()));
  // An exposure without a timespan has no calibration.
  auto untimed = f.Biases("exposure = 400");
  REQUIRE(untimed.ok());
  CHECK(untimed->empty());
  // Find-all: each bias valid for some admitted exposure, once (the
  // butler's testQueryDatasetsExtraDimensions); 302 straddles both ranges.
  const auto all = [&](const std::string& where) {
    auto refs = f.View().QueryDatasets(
        {"bias", {"HSC/calib"}, *engine::WhereClause::Parse(where), false, std::nullopt});
    REQUIRE(refs.ok());
    std::vector<codec::Uuid> ids;
    for (const auto& r : *refs) ids.push_back(r.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  std::vector<codec::Uuid> both_ids = {f.early, f.late};
  std::sort(both_ids.begin(), both_ids.end());
  CHECK(all("exposure = 300") == std::vector<codec::Uuid>{f.early});
  CHECK(all("exposure IN (300, 301)") == both_ids);
  CHECK(all("exposure = 302") == both_ids);
  CHECK(all("exposure = 400").empty());
  CHECK(all("exposure = 999").empty());
  // Through the RUNs, no validity: the bias of each admitted detector.
  auto in_runs = f.View().QueryDatasets({"bias",
                                         {"HSC/calib/run1", "HSC/calib/run2"},
                                         *engine::WhereClause::Parse("exposure = 400"),
                                         false,
                                         std::nullopt});
  REQUIRE(in_runs.ok());
  CHECK(in_runs->size() == 2);
  // A constraint on the bias's own dimensions alone asks for all of time,
  // where detector 1 has two certifications: ambiguous, as the butler's.
  CHECK(f.Biases("detector = 1").status().IsConflict());
}

TEST_CASE("A calibration query over exposures orders by the exposures it joins",
          "[engine][calib]") {
  TimedFixture f;
  for (const char* order : {"-exposure", "-exposure.timespan.begin", "-timespan.begin"}) {
    engine::DatasetSearch search;
    search.dataset_types = {"bias"};
    search.query = {"",
                    {"HSC/calib"},
                    *engine::WhereClause::Parse("exposure IN (300, 301)"),
                    true,
                    std::nullopt};
    search.order_by = {order};
    auto refs = f.View().QueryDatasets(search);
    INFO(order);
    REQUIRE(refs.ok());
    REQUIRE(refs->size() == 2);
    CHECK((*refs)[0].id == f.late);  // Exposure 301's, the later one, first.
    CHECK((*refs)[1].id == f.early);
    // With no rows the order is still checked against what the query joins.
    search.query.where = *engine::WhereClause::Parse("exposure = 400");
    auto none = f.View().QueryDatasets(search);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }
}

TEST_CASE("A calibration query over visits takes each visit's timespan", "[engine][calib]") {
  TimedFixture f;
  f.Append(codec::InsertDimensionRecords{"visit",
                                         {{{"instrument", S("HSC")},
                                           {"visit", int64_t{7}},
                                           {"timespan_begin", int64_t{4000}},
                                           {"timespan_end", int64_t{4500}}}},
                                         false});
  auto refs = f.Biases("visit = 7");
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 1);
  CHECK(refs->front().id == f.late);
  CHECK(refs->front().joined.at("visit") == codec::FieldValue(int64_t{7}));
}

TEST_CASE("A query keeps apart the records of two elements with the same key values",
          "[engine][dimensions]") {
  // Detector 3 and exposure 3 of HSC: the same key values, read in one row.
  RegistryFixture f;
  f.Append(codec::InsertDimensionRecords{"exposure",
                                         {{{"instrument", S("HSC")},
                                           {"exposure", int64_t{3}},
                                           {"physical_filter", S("HSC-R")},
                                           {"observation_type", S("science")}}},
                                         false});
  f.CreateCollection("HSC/raw/three", CollectionType::kRun);
  f.AddRaw("HSC/raw/three", 3, 3);
  f.AddRaw("HSC/raw/three", 3, 2);
  auto refs = f.View().QueryDatasets(
      {"raw",
       {"HSC/raw/three"},
       *engine::WhereClause::Parse("detector.full_name = 'ccd3' AND exposure.observation_type = "
                                   "'science' AND band = 'r'"),
       true,
       std::nullopt});
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 1);
  CHECK(refs->front().data_id == RegistryFixture::RawId(3, 3));
  CHECK(refs->front().implied == FieldMap{{"band", S("r")}, {"physical_filter", S("HSC-R")}});
}
