// query-data-ids joins through the records and seeks on the where clause's
// equalities (issue 17, item 1): the rows and their order are those of the
// cross product filtered, but the work stays near the rows answered.

#include <catch2/catch.hpp>
#include <functional>

#include "starlog/engine/event_store.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using codec::FieldMap;

namespace {

constexpr int64_t kDetectors = 50;
constexpr int64_t kExposures = 2000;

std::string S(const char* s) { return s; }

// Instrument HSC with 50 detectors and 2,000 exposures: even ones through
// HSC-G (band g) on day 1, odd ones through HSC-R (band r) on day 2, every
// tenth a bias.
struct ManyRecords {
  ManyRecords() {
    engine::CreateOptions options;
    options.store.sync = false;
    store = std::move(engine::EventStore::Create(dir.path(), options).value());
    const auto insert = [&](const std::string& element, std::vector<FieldMap> records) {
      REQUIRE(store->Append(codec::InsertDimensionRecords{element, std::move(records), false}, "t")
                  .ok());
    };
    insert("instrument", {{{"instrument", S("HSC")},
                           {"detector_max", int64_t{4096}},
                           {"exposure_max", int64_t{1'000'000}}}});
    insert("band", {{{"band", S("g")}}, {{"band", S("r")}}});
    insert("physical_filter",
           {{{"instrument", S("HSC")}, {"physical_filter", S("HSC-G")}, {"band", S("g")}},
            {{"instrument", S("HSC")}, {"physical_filter", S("HSC-R")}, {"band", S("r")}}});
    insert("day_obs", {{{"instrument", S("HSC")}, {"day_obs", int64_t{1}}},
                       {{"instrument", S("HSC")}, {"day_obs", int64_t{2}}}});
    std::vector<FieldMap> detectors, exposures;
    for (int64_t d = 0; d < kDetectors; ++d) {
      detectors.push_back({{"instrument", S("HSC")}, {"detector", d}});
    }
    for (int64_t e = 0; e < kExposures; ++e) {
      exposures.push_back({{"instrument", S("HSC")},
                           {"exposure", e},
                           {"physical_filter", S(e % 2 ? "HSC-R" : "HSC-G")},
                           {"day_obs", int64_t{e % 2 + 1}},
                           {"observation_type", S(e % 10 ? "science" : "bias")}});
    }
    insert("detector", std::move(detectors));
    insert("exposure", std::move(exposures));
  }

  // The data IDs over "dimensions" satisfying "where", and the (row, record)
  // pairs the join examined for them.
  std::pair<std::vector<FieldMap>, uint64_t> Query(const std::vector<std::string>& dimensions,
                                                   const std::string& where) {
    auto view = store->View().value();
    const uint64_t before = view.TEST_JoinRowsExamined();
    auto rows = view.QueryDataIds(dimensions, engine::WhereClause::Parse(where).value());
    REQUIRE(rows.ok());
    return {std::move(rows).value(), view.TEST_JoinRowsExamined() - before};
  }

  testutil::TempDir dir;
  std::unique_ptr<engine::EventStore> store;
};

// "exposure/detector" of each row, in order.
std::vector<std::string> Pairs(const std::vector<FieldMap>& rows) {
  std::vector<std::string> out;
  for (const FieldMap& r : rows) {
    out.push_back(std::to_string(std::get<int64_t>(r.at("exposure"))) + "/" +
                  std::to_string(std::get<int64_t>(r.at("detector"))));
  }
  return out;
}

// The rows the whole cross product gives, filtered by "keep": detectors
// in key order, then exposures in key order (the universe's order).
std::vector<std::string> CrossProduct(const std::function<bool(int64_t, int64_t)>& keep) {
  std::vector<std::string> out;
  for (int64_t d = 0; d < kDetectors; ++d) {
    for (int64_t e = 0; e < kExposures; ++e) {
      if (keep(e, d)) out.push_back(std::to_string(e) + "/" + std::to_string(d));
    }
  }
  return out;
}

// Whether "work" (pairs examined) is near the "rows" answered: past them,
// at most the rows of the steps before the last (the instrument, its
// detectors), where the cross product costs every exposure per detector.
bool Near(uint64_t work, size_t rows) { return work <= rows + kDetectors + 1; }

}  // namespace

TEST_CASE("query-data-ids seeks the exposures an equality names, never the cross product",
          "[engine][dimensions]") {
  ManyRecords f;
  // 100,000 pairs in the cross product; an equality makes it 50.
  auto [one, one_work] = f.Query({"exposure", "detector"}, "exposure = 1234");
  CHECK(Pairs(one) == CrossProduct([](int64_t e, int64_t) { return e == 1234; }));
  CHECK(Near(one_work, one.size()));
  // Implied values come with each row, from the exposure's records.
  CHECK(one.front().at("band") == codec::FieldValue(S("g")));
  CHECK(one.front().at("physical_filter") == codec::FieldValue(S("HSC-G")));

  auto [some, some_work] = f.Query({"exposure", "detector"},
                                   "instrument = 'HSC' AND exposure IN (1501, 7, 300..310:5) AND "
                                   "detector IN (2..4) AND NOT exposure = 305");
  CHECK(Pairs(some) == CrossProduct([](int64_t e, int64_t d) {
          return (e == 1501 || e == 7 || e == 300 || e == 310) && d >= 2 && d <= 4;
        }));
  CHECK(Near(some_work, some.size()));

  // A record field or a comparison is tried on the exposures before they
  // are joined.
  auto [biases, bias_work] =
      f.Query({"exposure", "detector"}, "exposure.observation_type = 'bias' AND detector < 2");
  CHECK(Pairs(biases) == CrossProduct([](int64_t e, int64_t d) { return e % 10 == 0 && d < 2; }));
  CHECK(Near(bias_work, biases.size()));
  auto [late, late_work] = f.Query({"exposure", "detector"}, "exposure > 1990 AND band = r");
  CHECK(Pairs(late) == CrossProduct([](int64_t e, int64_t) { return e > 1990 && e % 2 == 1; }));
  CHECK(Near(late_work, late.size()));

  // Terms of an OR are not split: still the right rows, read by scan.
  auto [either, either_work] =
      f.Query({"exposure", "detector"}, "(exposure = 3 OR exposure = 1999) AND detector = 49");
  CHECK(Pairs(either) == std::vector<std::string>{"3/49", "1999/49"});
  CHECK(Near(either_work, either.size()));

  // Nothing to narrow by: every pair is an answer, examined once.
  auto [all, all_work] = f.Query({"exposure", "detector"}, "");
  CHECK(all.size() == static_cast<size_t>(kExposures * kDetectors));
  CHECK(Near(all_work, all.size()));
}

TEST_CASE("query-data-ids over implied dimensions joins through the records that imply them",
          "[engine][dimensions]") {
  ManyRecords f;
  auto [filter, filter_work] = f.Query({"exposure", "physical_filter"}, "exposure = 1");
  REQUIRE(filter.size() == 1);
  CHECK(filter[0].at("physical_filter") == codec::FieldValue(S("HSC-R")));
  CHECK(filter_work <= 5);  // The instrument, two filters, two exposures.
  auto [bands, band_work] = f.Query({"physical_filter", "band"}, "physical_filter = 'HSC-G'");
  REQUIRE(bands.size() == 1);
  CHECK(bands[0].at("band") == codec::FieldValue(S("g")));
  auto [days, day_work] = f.Query({"exposure", "day_obs"}, "day_obs = 2 AND exposure < 6");
  REQUIRE(days.size() == 3);
  for (const FieldMap& r : days) CHECK(std::get<int64_t>(r.at("exposure")) % 2 == 1);
  // Contradictory equalities: nothing, and no exposure read.
  auto [none, none_work] = f.Query({"exposure", "detector"}, "exposure = 1 AND exposure = 2");
  CHECK(none.empty());
  CHECK(Near(none_work, 0));
  auto [constant, constant_work] = f.Query({"detector"}, "1 = 2");
  CHECK(constant.empty());
}

TEST_CASE("query-data-ids hands each row on as it is found, and stopping stops the join",
          "[engine][dimensions]") {
  ManyRecords f;
  auto view = f.store->View().value();
  const auto all = view.QueryDataIds({"exposure", "detector"}, {}).value();
  REQUIRE(all.size() == static_cast<size_t>(kExposures * kDetectors));
  // The first row: the instrument, one detector and one exposure examined,
  // not the 100,000 pairs a join completing each step first reads.
  uint64_t before = view.TEST_JoinRowsExamined();
  std::vector<FieldMap> got;
  REQUIRE(view.ForEachDataId({"exposure", "detector"}, {}, std::nullopt, {},
                             [&](FieldMap&& row) {
                               got.push_back(std::move(row));
                               return false;
                             })
              .ok());
  CHECK(view.TEST_JoinRowsExamined() - before <= 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == all[0]);  // With its implied values, as the whole query's.
  CHECK(got[0].count("band") == 1);

  // A limit without an order: the first rows, and no more read.
  before = view.TEST_JoinRowsExamined();
  got.clear();
  REQUIRE(view.ForEachDataId({"exposure", "detector"}, {}, std::nullopt, {{}, 120},
                             [&](FieldMap&& row) {
                               got.push_back(std::move(row));
                               return true;
                             })
              .ok());
  CHECK(view.TEST_JoinRowsExamined() - before <= 120 + 3);
  CHECK(got == std::vector<FieldMap>(all.begin(), all.begin() + 120));
  // The vector form agrees, with or without an order.
  CHECK(view.QueryDataIds({"exposure", "detector"}, {}, std::nullopt, {{}, 120}).value() == got);
  const auto ordered =
      view.QueryDataIds({"exposure", "detector"}, {}, std::nullopt, {{"-exposure"}, 3}).value();
  REQUIRE(ordered.size() == 3);
  CHECK(ordered[0].at("exposure") == codec::FieldValue(kExposures - 1));
  CHECK(ordered[2].at("exposure") == codec::FieldValue(kExposures - 1));
  CHECK(ordered[2].at("detector") == codec::FieldValue(int64_t{2}));
  // An order names what it sorts by before any row is looked for.
  bool called = false;
  auto misspelt = view.ForEachDataId({"exposure"}, {}, std::nullopt, {{"attract"}, 0},
                                     [&](FieldMap&&) { return called = true; });
  CHECK(misspelt.IsInvalidArgument());
  CHECK_FALSE(called);
}

TEST_CASE("query-dimension-records hands each record on as it is read", "[engine][dimensions]") {
  ManyRecords f;
  auto view = f.store->View().value();
  const auto where = engine::WhereClause::Parse("observation_type = 'bias'").value();
  const auto all = view.QueryDimensionRecords("exposure", where).value();
  REQUIRE(all.size() == static_cast<size_t>(kExposures / 10));
  std::vector<FieldMap> got;
  REQUIRE(view.ForEachDimensionRecord("exposure", where, {},
                                      [&](FieldMap&& r) {
                                        got.push_back(std::move(r));
                                        return got.size() < 3;
                                      })
              .ok());
  CHECK(got == std::vector<FieldMap>(all.begin(), all.begin() + 3));
  CHECK(view.QueryDimensionRecords("exposure", where, {{}, 3}).value() == got);
  CHECK(view.QueryDimensionRecords("exposure", where, {{"-exposure"}, 1}).value().at(0) ==
        all.back());
  CHECK(view.ForEachDimensionRecord("exposures", {}, {}, [](FieldMap&&) { return true; })
            .IsInvalidArgument());
}
