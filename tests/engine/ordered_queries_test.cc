// QueryDataIds and QueryDimensionRecords with the butler's order_by and
// limit (engine::RowOrder): the cases of daf_butler's registry tests
// testQueryDimensionRecordsOrderBy and testQueryDataIdsOrderBy (their
// records as in its base.yaml and spatial.yaml; the tract cases left out:
// starlog has no spatial joins), in a universe whose detectors have the
// butler's raft and name_in_raft and whose visits have a zenith_angle.

#include <catch2/catch.hpp>

#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using codec::FieldMap;
using codec::FieldValue;

namespace {

std::string S(const char* s) { return s; }

constexpr const char* kUniverse =
    "element instrument key=string fields=class_name:string,detector_max:int\n"
    "element band key=string\n"
    "element physical_filter key=string requires=instrument implies=band\n"
    "element detector key=int requires=instrument "
    "fields=full_name:string,raft:string,name_in_raft:string,purpose:string max=4095\n"
    "element day_obs key=int requires=instrument fields=timespan_begin:int,timespan_end:int "
    "max=99991231\n"
    "element exposure key=int requires=instrument implies=physical_filter,day_obs "
    "fields=observation_type:string,timespan_begin:int,timespan_end:int\n"
    "element visit key=int requires=instrument implies=physical_filter,day_obs "
    "fields=name:string,zenith_angle:int,timespan_begin:int,timespan_end:int\n";

// Cam1 of base.yaml: detectors 1-4 on rafts A and B (4 a WAVEFRONT one,
// 5 added with no purpose); visits 1 and 2 of spatial.yaml, on one night,
// 2 the later; exposures 1 and 2 with no timespan.
class OrderFixture {
 public:
  OrderFixture() {
    engine::CreateOptions options;
    options.store.sync = false;
    options.actor = "tester";
    options.universe = kUniverse;
    auto store = engine::EventStore::Create(dir_.path(), options);
    REQUIRE(store.ok());
    store_ = std::move(store).value();
    Append(codec::InsertDimensionRecords{
        "instrument", {{{"instrument", S("Cam1")}, {"detector_max", int64_t{8}}}}, false});
    Append(codec::InsertDimensionRecords{"band", {{{"band", S("g")}}, {{"band", S("r")}}}, false});
    Append(codec::InsertDimensionRecords{
        "physical_filter",
        {{{"instrument", S("Cam1")}, {"physical_filter", S("Cam1-G")}, {"band", S("g")}},
         {{"instrument", S("Cam1")}, {"physical_filter", S("Cam1-R1")}, {"band", S("r")}}},
        false});
    codec::InsertDimensionRecords detectors{"detector", {}, false};
    const char* rafts[] = {"A", "A", "B", "B"};
    const char* names[] = {"a", "b", "a", "b"};
    for (int64_t d = 1; d <= 4; ++d) {
      const std::string raft = rafts[d - 1], name = names[d - 1];
      detectors.records.push_back({{"instrument", S("Cam1")},
                                   {"detector", d},
                                   {"raft", raft},
                                   {"name_in_raft", name},
                                   {"full_name", raft + name},
                                   {"purpose", S(d == 4 ? "WAVEFRONT" : "SCIENCE")}});
    }
    detectors.records.push_back({{"instrument", S("Cam1")}, {"detector", int64_t{5}}});
    Append(detectors);
    Append(codec::InsertDimensionRecords{
        "day_obs", {{{"instrument", S("Cam1")}, {"day_obs", int64_t{20210909}}}}, false});
    // 2021-09-09 03:00 and 03:02 TAI, a minute each.
    const int64_t t0 = 1'631'156'400'000'000'000, minute = 60'000'000'000;
    Append(codec::InsertDimensionRecords{"visit",
                                         {{{"instrument", S("Cam1")},
                                           {"visit", int64_t{1}},
                                           {"physical_filter", S("Cam1-G")},
                                           {"day_obs", int64_t{20210909}},
                                           {"name", S("1")},
                                           {"zenith_angle", int64_t{5}},
                                           {"timespan_begin", t0},
                                           {"timespan_end", t0 + minute}},
                                          {{"instrument", S("Cam1")},
                                           {"visit", int64_t{2}},
                                           {"physical_filter", S("Cam1-R1")},
                                           {"day_obs", int64_t{20210909}},
                                           {"name", S("2")},
                                           {"zenith_angle", int64_t{10}},
                                           {"timespan_begin", t0 + 2 * minute},
                                           {"timespan_end", t0 + 3 * minute}}},
                                         false});
    Append(codec::InsertDimensionRecords{"exposure",
                                         {{{"instrument", S("Cam1")},
                                           {"exposure", int64_t{1}},
                                           {"physical_filter", S("Cam1-G")},
                                           {"day_obs", int64_t{20210909}}},
                                          {{"instrument", S("Cam1")},
                                           {"exposure", int64_t{2}},
                                           {"physical_filter", S("Cam1-R1")},
                                           {"day_obs", int64_t{20210909}}}},
                                         false});
  }

  engine::RegistryView View() { return store_->View().value(); }
  void Append(codec::EventBody body) {
    REQUIRE(store_->Append(std::move(body), engine::Actor{"tester"}).ok());
  }

  // The "key" values of the records of "element", in order.
  Result<std::vector<int64_t>> Records(const std::string& element,
                                       std::vector<std::string> order_by, uint64_t limit = 0,
                                       const std::string& key = "") {
    STARLOG_ASSIGN_OR_RETURN(
        auto rows, View().QueryDimensionRecords(element, {}, {std::move(order_by), limit}));
    return Column(rows, key.empty() ? element : key);
  }
  Result<std::vector<int64_t>> DataIds(std::vector<std::string> dimensions,
                                       std::vector<std::string> order_by, uint64_t limit = 0,
                                       const std::string& where = "") {
    STARLOG_ASSIGN_OR_RETURN(auto clause, engine::WhereClause::Parse(where, {}));
    STARLOG_ASSIGN_OR_RETURN(auto rows, View().QueryDataIds(dimensions, clause, std::nullopt,
                                                            {std::move(order_by), limit}));
    return Column(rows, dimensions.front());
  }

 private:
  static std::vector<int64_t> Column(const std::vector<FieldMap>& rows, const std::string& key) {
    std::vector<int64_t> out;
    for (const FieldMap& row : rows) out.push_back(std::get<int64_t>(row.at(key)));
    return out;
  }

  testutil::TempDir dir_;
  std::unique_ptr<engine::EventStore> store_;
};

using Ids = std::vector<int64_t>;

}  // namespace

TEST_CASE("Dimension records ordered as the butler's testQueryDimensionRecordsOrderBy",
          "[engine][query]") {
  OrderFixture f;
  CHECK(f.Records("detector", {}).value() == Ids{1, 2, 3, 4, 5});
  CHECK(f.Records("detector", {"detector"}).value() == Ids{1, 2, 3, 4, 5});
  CHECK(f.Records("detector", {"-detector"}, 4).value() == Ids{5, 4, 3, 2});
  // Detector 5 has no raft: after the others, ascending or descending.
  CHECK(f.Records("detector", {"raft", "-name_in_raft"}).value() == Ids{2, 1, 4, 3, 5});
  CHECK(f.Records("detector", {"-raft", "name_in_raft"}).value() == Ids{3, 4, 1, 2, 5});
  CHECK(f.Records("detector", {"-detector.purpose"}, 1).value() == Ids{4});
  CHECK(f.Records("detector", {"full_name"}, 2).value() == Ids{1, 2});
  CHECK(f.Records("visit", {"visit"}).value() == Ids{1, 2});
  CHECK(f.Records("visit", {"-visit.id"}).value() == Ids{2, 1});
  CHECK(f.Records("visit", {"zenith_angle"}).value() == Ids{1, 2});
  CHECK(f.Records("visit", {"-visit.name"}).value() == Ids{2, 1});
  // day_obs: the visit's (implied); timespan.begin: the visit's own, though
  // its day_obs has a timespan too (as the butler's records query reads it).
  CHECK(f.Records("visit", {"day_obs", "-visit.timespan.begin"}).value() == Ids{2, 1});
  CHECK(f.Records("visit", {"-timespan.begin"}).value() == Ids{2, 1});
  CHECK(f.Records("visit", {"physical_filter.band"}).value() == Ids{1, 2});
  CHECK(f.Records("visit", {"-band"}).value() == Ids{2, 1});
  // A limit past the rows, or 0, is all of them.
  CHECK(f.Records("detector", {"-detector"}, 50).value().size() == 5);
  CHECK(f.Records("detector", {}, 3).value() == Ids{1, 2, 3});
  for (const char* bad : {"undimension.name", "-undimension.name", "attract", "-attract",
                          "timestamp.begin", "tract", "visit.nope"}) {
    INFO(bad);
    auto refused = f.Records("visit", {bad});
    CHECK(refused.status().IsInvalidArgument());
    CHECK(Says(refused.status(), std::string("order by '") + (bad[0] == '-' ? bad + 1 : bad)));
    CHECK(Says(refused.status(), "visit records: "));
  }
  CHECK(Says(f.Records("detector", {"-"}).status(), "give a name after the '-'"));
  CHECK(f.Records("nope", {"x"}).status().IsInvalidArgument());
}

TEST_CASE("Data IDs ordered as the butler's testQueryDataIdsOrderBy", "[engine][query]") {
  OrderFixture f;
  CHECK(f.DataIds({"detector"}, {"-detector"}, 0, "detector < 5").value() == Ids{4, 3, 2, 1});
  CHECK(f.DataIds({"detector"}, {"detector.full_name"}, 0, "detector < 5").value() ==
        Ids{1, 2, 3, 4});
  CHECK(f.DataIds({"detector"}, {"-detector.raft", "detector.name_in_raft"}).value() ==
        Ids{3, 4, 1, 2, 5});
  // A bare field one element of the data IDs alone has; "x.id" is the key x.
  CHECK(f.DataIds({"detector"}, {"-full_name"}).value() == Ids{4, 3, 2, 1, 5});
  CHECK(f.DataIds({"detector"}, {"-detector.id"}, 2).value() == Ids{5, 4});
  CHECK(f.DataIds({"visit", "detector"}, {"-visit", "-detector"}, 3).value() == Ids{2, 2, 2});
  CHECK(f.DataIds({"visit"}, {"-visit.timespan.begin", "visit.timespan.end"}).value() == Ids{2, 1});
  CHECK(f.DataIds({"visit"}, {"-zenith_angle"}).value() == Ids{2, 1});
  // Data IDs of visits reach two timespans: the name must say which.
  CHECK(f.DataIds({"visit"}, {"-timespan.begin"}).status().IsInvalidArgument());
  // Exposures have no timespan: no row has a value, so the key order stays.
  CHECK(f.DataIds({"exposure"}, {"-exposure.timespan.begin"}).value() == Ids{1, 2});
  CHECK(f.DataIds({"visit", "exposure"}, {"visit.day_obs", "exposure.day_obs"}).value().size() ==
        4);
  for (const char* bad : {"undimension.name", "attract", "timespan.begin", "-timestamp.begin",
                          "detector.timespan.begin", "tract.name"}) {
    INFO(bad);
    auto refused = f.DataIds({"visit", "exposure", "detector"}, {bad});
    CHECK(refused.status().IsInvalidArgument());
    CHECK(Says(refused.status(), std::string("order by '") + (bad[0] == '-' ? bad + 1 : bad)));
  }
  // A name is checked even when no row matches.
  CHECK(f.DataIds({"detector"}, {"nope"}, 0, "detector > 100").status().IsInvalidArgument());
}

TEST_CASE("Data IDs of datasets are ordered and limited too", "[engine][query]") {
  OrderFixture f;
  // A flat of base.yaml's imported_r: detectors 2-4 with Cam1-R1, 1 with Cam1-G.
  f.Append(codec::RegisterDatasetType{
      "flat", {"instrument", "detector", "physical_filter"}, "ExposureF", false});
  f.Append(codec::CreateCollection{"imported_r", codec::CollectionType::kRun, ""});
  codec::RegisterDatasets flats{"imported_r", "flat", {}};
  for (int64_t d = 1; d <= 4; ++d) {
    const FieldMap id{{"instrument", S("Cam1")},
                      {"detector", d},
                      {"physical_filter", S(d == 1 ? "Cam1-G" : "Cam1-R1")}};
    flats.datasets.push_back(codec::DatasetEntry{
        engine::DeterministicDatasetId("flat", id, "imported_r"), id, std::nullopt});
  }
  f.Append(std::move(flats));
  engine::DatasetQuery flat{"flat", {"imported_r"}, {}, true, std::nullopt};
  auto view = f.View();
  const auto detectors = [](const std::vector<FieldMap>& rows) {
    Ids out;
    for (const FieldMap& row : rows) out.push_back(std::get<int64_t>(row.at("detector")));
    return out;
  };
  auto ordered = view.QueryDataIds({"detector"}, {}, flat, {{"-detector.full_name"}, 0});
  REQUIRE(ordered.ok());
  CHECK(detectors(*ordered) == Ids{4, 3, 2, 1});
  auto by_band = view.QueryDataIds({"detector", "physical_filter"}, {}, flat, {{"-band"}, 2});
  REQUIRE(by_band.ok());
  CHECK(detectors(*by_band) == Ids{2, 3});
  auto unknown = view.QueryDataIds({"detector"}, {}, flat, {{"exposure"}, 0});
  CHECK(unknown.status().IsInvalidArgument());
  CHECK(Says(unknown.status(), "order by 'exposure'"));
  // Streamed, each data ID once however many datasets have it, and a
  // limit without an order stops at its last row.
  std::vector<FieldMap> streamed;
  const auto keep = [&](FieldMap&& row) {
    streamed.push_back(std::move(row));
    return true;
  };
  REQUIRE(view.ForEachDataId({"instrument"}, {}, flat, {}, keep).ok());
  REQUIRE(streamed.size() == 1);
  CHECK(streamed[0].at("instrument") == codec::FieldValue(S("Cam1")));
  streamed.clear();
  REQUIRE(view.ForEachDataId({"detector"}, {}, flat, {{}, 2}, keep).ok());
  CHECK(detectors(streamed) == Ids{1, 2});
  // A key the flats lack (band, which their filters imply): joined from the
  // records, each band once, and the limit stops there too.
  streamed.clear();
  REQUIRE(view.ForEachDataId({"band"}, {}, flat, {}, keep).ok());
  REQUIRE(streamed.size() == 2);
  CHECK(streamed[0].at("band") != streamed[1].at("band"));
  streamed.clear();
  REQUIRE(view.ForEachDataId({"band"}, {}, flat, {{}, 1}, keep).ok());
  CHECK(streamed.size() == 1);
}
