// define-visits (issue 17, item 8), after obs_base's DefineVisitsTask.

#include "starlog/engine/visits.h"

#include <catch2/catch.hpp>
#include <set>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using codec::FieldMap;
using engine::VisitSystem;
using testutil::RegistryFixture;

namespace {

std::string S(const char* s) { return s; }

// Exposures 300-302 of group "g7" (id 7), HSC-R, one after another.
struct VisitFixture : RegistryFixture {
  VisitFixture() {
    codec::InsertDimensionRecords e{"exposure", {}, false};
    for (int64_t i = 0; i < 3; ++i) {
      e.records.push_back({{"instrument", S("HSC")},
                           {"exposure", 300 + i},
                           {"obs_id", "HSCA" + std::to_string(300 + i)},
                           {"physical_filter", S("HSC-R")},
                           {"day_obs", int64_t{20240302 - (i == 2 ? 1 : 0)}},
                           {"observation_type", S("science")},
                           {"group_name", S("g7")},
                           {"group_id", int64_t{7}},
                           {"timespan_begin", 1000 + 100 * i},
                           {"timespan_end", 1050 + 100 * i}});
    }
    Append(e);
  }
  Result<engine::VisitPlan> Plan(VisitSystem system, const std::string& where) {
    engine::VisitOptions options;
    options.instrument = "HSC";
    options.system = system;
    options.where = *engine::WhereClause::Parse(where);
    return engine::PlanVisits(View(), options);
  }
  void Define(VisitSystem system, const std::string& where) {
    auto plan = Plan(system, where);
    REQUIRE(plan.ok());
    auto appended = store().AppendAll(plan->events, engine::Actor{"tester"});
    INFO(appended.status().ToString());
    REQUIRE(appended.ok());
  }
  std::vector<FieldMap> VisitsOf(const std::string& where) {
    auto ids = View().QueryDataIds({"visit", "exposure"}, *engine::WhereClause::Parse(where));
    REQUIRE(ids.ok());
    return *ids;
  }
};

}  // namespace

TEST_CASE("One-to-one visits: a visit per exposure, its own exposure only", "[engine][visits]") {
  VisitFixture f;
  f.Define(VisitSystem::kOneToOne, "exposure IN (300..302)");
  auto visit =
      f.View().GetDimensionRecord("visit", {{"instrument", S("HSC")}, {"visit", int64_t{301}}});
  REQUIRE(visit.ok());
  REQUIRE(visit->has_value());
  CHECK((**visit).at("name") == codec::FieldValue(S("HSCA301")));
  CHECK((**visit).at("timespan_begin") == codec::FieldValue(int64_t{1100}));
  auto rows = f.VisitsOf("visit = 301");
  REQUIRE(rows.size() == 1);  // Joined through visit_definition, not every exposure.
  CHECK(rows[0].at("exposure") == codec::FieldValue(int64_t{301}));
  CHECK(rows[0].at("band") == codec::FieldValue(S("r")));  // Implied through the visit.
  auto system = f.View().GetDimensionRecord(
      "visit_system", {{"instrument", S("HSC")}, {"visit_system", int64_t{0}}});
  REQUIRE(system.ok());
  REQUIRE(system->has_value());
  CHECK((**system).at("name") == codec::FieldValue(S("one-to-one")));
  // Defining again adds nothing.
  const uint64_t head = f.head();
  auto again = f.Plan(VisitSystem::kOneToOne, "exposure IN (300..302)");
  REQUIRE(again.ok());
  CHECK(again->events.empty());
  CHECK(again->known_visits == 3);
  CHECK(f.head() == head);
}

TEST_CASE("By-group-metadata visits span their exposures", "[engine][visits]") {
  VisitFixture f;
  f.Define(VisitSystem::kByGroupMetadata, "exposure IN (300..302)");
  auto visit =
      f.View().GetDimensionRecord("visit", {{"instrument", S("HSC")}, {"visit", int64_t{7}}});
  REQUIRE(visit.ok());
  REQUIRE(visit->has_value());
  const FieldMap& v = **visit;
  CHECK(v.at("name") == codec::FieldValue(S("g7")));
  CHECK(v.at("timespan_begin") == codec::FieldValue(int64_t{1000}));
  CHECK(v.at("timespan_end") == codec::FieldValue(int64_t{1250}));
  CHECK(v.at("day_obs") == codec::FieldValue(int64_t{20240301}));  // The earliest.
  CHECK(v.at("physical_filter") == codec::FieldValue(S("HSC-R")));
  CHECK(f.VisitsOf("visit = 7").size() == 3);
  CHECK(f.VisitsOf("exposure = 300").size() == 1);
  auto members = f.View().QueryDimensionRecords("visit_system_membership", {});
  REQUIRE(members.ok());
  CHECK(members->size() == 1);
}

TEST_CASE("define-visits refuses what it cannot define, changing nothing", "[engine][visits]") {
  VisitFixture f;
  // Exposures 100 and 101 have no group metadata.
  auto ungrouped = f.Plan(VisitSystem::kByGroupMetadata, "exposure IN (100, 300)");
  CHECK(ungrouped.status().IsInvalidArgument());
  CHECK(Says(ungrouped.status(), "exposure 100"));
  // Non-science exposures are skipped; none selected at all is NotFound.
  auto bias = f.Plan(VisitSystem::kOneToOne, "exposure = 200");
  REQUIRE(bias.ok());
  CHECK(bias->not_science == 1);
  CHECK(bias->events.empty());
  CHECK(f.Plan(VisitSystem::kOneToOne, "exposure = 999").status().IsNotFound());
  // A visit already defined otherwise is a conflict naming both.
  f.Append(codec::InsertDimensionRecords{
      "visit", {{{"instrument", S("HSC")}, {"visit", int64_t{300}}, {"name", S("other")}}}, false});
  auto conflict = f.Plan(VisitSystem::kOneToOne, "exposure = 300");
  CHECK(conflict.status().IsConflict());
  CHECK(Says(conflict.status(), "other"));
  // Exposures of one group through two filters make no visit.
  f.Append(codec::InsertDimensionRecords{"exposure",
                                         {{{"instrument", S("HSC")},
                                           {"exposure", int64_t{310}},
                                           {"physical_filter", S("HSC-I")},
                                           {"group_name", S("g7")},
                                           {"group_id", int64_t{7}}}},
                                         false});
  auto mixed = f.Plan(VisitSystem::kByGroupMetadata, "exposure IN (300..310)");
  CHECK(mixed.status().IsInvalidArgument());
  CHECK(Says(mixed.status(), "HSC-I"));
}

TEST_CASE("A repository created with the old universe stays readable, visits are refused",
          "[engine][visits]") {
  // The built-in universe before visits (its text recorded in event 1).
  const std::string old_universe =
      "element instrument key=string fields=class_name:string,detector_max:int,exposure_max:int\n"
      "element band key=string\n"
      "element physical_filter key=string requires=instrument implies=band\n"
      "element detector key=int requires=instrument max=4095\n"
      "element day_obs key=int requires=instrument max=99991231\n"
      "element exposure key=int requires=instrument implies=physical_filter,day_obs "
      "fields=obs_id:string,timespan_begin:int,timespan_end:int\n"
      "element visit key=int requires=instrument implies=physical_filter,day_obs "
      "fields=name:string,timespan_begin:int,timespan_end:int\n";
  testutil::TempDir dir;
  engine::CreateOptions options;
  options.store.sync = false;
  options.actor = "tester";
  options.universe = old_universe;
  {
    auto store = engine::EventStore::Create(dir.path(), options);
    REQUIRE(store.ok());
    REQUIRE(
        (*store)
            ->Append(
                codec::InsertDimensionRecords{"instrument", {{{"instrument", S("HSC")}}}, false},
                engine::Actor{"tester"})
            .ok());
  }
  auto store = engine::EventStore::Open(dir.path(), {});
  REQUIRE(store.ok());
  auto view = (*store)->View();
  REQUIRE(view.ok());
  CHECK(view->universe().Find("visit_definition") == nullptr);
  CHECK(view->QueryDataIds({"instrument"}, {}).value().size() == 1);
  engine::VisitOptions visit_options;
  visit_options.instrument = "HSC";
  auto plan = engine::PlanVisits(*view, visit_options);
  CHECK(plan.status().IsInvalidArgument());
  CHECK(Says(plan.status(), "visit_definition"));
}

// After daf_butler's registry tests (testQueryResults' data): visits 10, 11
// and 20 of two exposures each; raws of exposures 100, 101, 110 and 111 on
// detectors 1-3 in one run (here 1100, 1101, ...: the fixture has a 100). Data IDs over the raws'
// dimensions and visit are the 4 exposures times 3 detectors, in visits 10 and 11 only.
TEST_CASE("Data IDs of datasets join the visits their exposures belong to", "[engine][visits]") {
  RegistryFixture f;
  codec::InsertDimensionRecords exposures{"exposure", {}, false};
  codec::InsertDimensionRecords visits{"visit", {}, false};
  codec::InsertDimensionRecords definitions{"visit_definition", {}, false};
  for (int64_t visit : {10, 11, 20}) {
    visits.records.push_back({{"instrument", S("HSC")}, {"visit", visit}});
    for (int64_t exposure : {1000 + visit * 10, 1000 + visit * 10 + 1}) {
      exposures.records.push_back({{"instrument", S("HSC")}, {"exposure", exposure}});
      definitions.records.push_back(
          {{"instrument", S("HSC")}, {"exposure", exposure}, {"visit", visit}});
    }
  }
  f.Append(exposures);
  f.Append(visits);
  f.Append(definitions);
  for (int64_t exposure : {1100, 1101, 1110, 1111}) {
    for (int64_t detector : {1, 2, 3}) f.AddRaw("HSC/raw/all", exposure, detector);
  }
  const engine::DatasetQuery raws{"raw", {"HSC/raw/all"}, {}, true, std::nullopt};
  auto rows = f.View().QueryDataIds({"exposure", "visit", "detector"}, {}, raws);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 4 * 3);
  std::set<int64_t> seen;
  for (const auto& r : *rows) seen.insert(std::get<int64_t>(r.at("visit")));
  CHECK(seen == std::set<int64_t>{10, 11});
  auto visits_only = f.View().QueryDataIds({"visit"}, {}, raws);
  REQUIRE(visits_only.ok());
  CHECK(visits_only->size() == 2);
  // And the raws of one visit, by a where clause on the visit.
  auto of_visit = f.View().QueryDatasets(
      {"raw", {"HSC/raw/all"}, *engine::WhereClause::Parse("visit = 11"), true, std::nullopt});
  REQUIRE(of_visit.ok());
  CHECK(of_visit->size() == 2 * 3);
  for (const auto& r : *of_visit) CHECK(r.joined.at("visit") == codec::FieldValue(int64_t{11}));
}
