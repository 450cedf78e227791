// query-datasets narrowed by equalities in its where clause: the scan of each
// collection seeks to the key ranges that can hold the values asked for
// (DataIdPrefixes), so its rows must be exactly those of the whole scan
// filtered, in the same order.

#include <catch2/catch.hpp>
#include <functional>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using engine::DatasetQuery;
using engine::DatasetRef;
using engine::WhereClause;
using testutil::RegistryFixture;

namespace {

struct Row {
  codec::Uuid id;
  std::string collection;
  std::string run;
  codec::FieldMap data_id;
  codec::FieldMap implied;
  bool operator==(const Row&) const = default;
};

std::vector<Row> Rows(const std::vector<DatasetRef>& refs) {
  std::vector<Row> out;
  for (const DatasetRef& r : refs) out.push_back({r.id, r.collection, r.run, r.data_id, r.implied});
  return out;
}

int64_t Int(const codec::FieldMap& m, const std::string& k) { return std::get<int64_t>(m.at(k)); }

}  // namespace

TEST_CASE("Equalities in a where clause give the rows of the whole scan filtered, in order",
          "[engine][query]") {
  RegistryFixture f;
  codec::InsertDimensionRecords exposures{"exposure", {}, false};
  for (int64_t x = 300; x < 310; ++x) {
    exposures.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
  }
  f.Append(exposures);
  f.CreateCollection("run/a", CollectionType::kRun);
  f.CreateCollection("run/b", CollectionType::kRun);
  f.CreateCollection("tagged", CollectionType::kTagged);
  std::vector<codec::Uuid> some;
  for (int64_t x : {100, 101, 200, 300, 301, 302, 305, 309}) {
    for (int64_t d = 0; d < 4; ++d) {
      const std::string run = (x + d) % 3 == 0 ? "run/b" : "run/a";
      const codec::Uuid id = f.AddRaw(run, x, d);
      if ((x + d) % 2 == 0) some.push_back(id);
      if (x % 2 == 1 && run == "run/a") f.AddRaw("run/b", x, d);  // A second match along a path.
    }
  }
  f.Append(codec::Tag{"tagged", some});
  f.CreateCollection("chain", CollectionType::kChained);
  f.SetChain("chain", {"tagged", "run/b", "run/a"});
  const engine::RegistryView view = f.View();

  const std::vector<std::pair<std::string, std::function<bool(const codec::FieldMap&)>>> clauses = {
      {"exposure = 301", [](auto& d) { return Int(d, "exposure") == 301; }},
      {"exposure = 302 AND detector = 2",
       [](auto& d) { return Int(d, "exposure") == 302 && Int(d, "detector") == 2; }},
      {"detector = 1", [](auto& d) { return Int(d, "detector") == 1; }},
      {"instrument = 'HSC' AND exposure = 100", [](auto& d) { return Int(d, "exposure") == 100; }},
      {"instrument = 'HSC'", [](auto&) { return true; }},
      {"exposure = 303", [](auto&) { return false; }},  // A record without datasets.
      {"exposure = 301 AND detector > 1",
       [](auto& d) { return Int(d, "exposure") == 301 && Int(d, "detector") > 1; }},
      {"exposure = 301 OR exposure = 305",
       [](auto& d) { return Int(d, "exposure") == 301 || Int(d, "exposure") == 305; }},
      {"exposure = 300 AND band = 'r'", [](auto&) { return false; }},  // No filter recorded.
      {"exposure = 100 AND band = 'r'", [](auto& d) { return Int(d, "exposure") == 100; }},
  };
  for (const auto& collections : std::vector<std::vector<std::string>>{
           {"chain"}, {"run/a"}, {"tagged"}, {"run/b", "run/a"}}) {
    for (bool find_first : {true, false}) {
      DatasetQuery all{"raw", collections, {}, find_first, std::nullopt};
      auto every = view.QueryDatasets(all);
      REQUIRE(every.ok());
      REQUIRE(!every->empty());
      for (const auto& [text, keep] : clauses) {
        INFO(text << " in " << collections.front() << (find_first ? ", find-first" : ""));
        DatasetQuery q = all;
        q.where = WhereClause::Parse(text).value();
        auto narrowed = view.QueryDatasets(q);
        REQUIRE(narrowed.ok());
        // A clause on data IDs commutes with find-first, which picks per data ID.
        std::vector<Row> expected;
        for (const Row& r : Rows(*every)) {
          if (keep(r.data_id)) expected.push_back(r);
        }
        CHECK(Rows(*narrowed) == expected);
      }
    }
  }
}

TEST_CASE("ForEachDataset stops when asked, and gives the rows of QueryDatasets one by one",
          "[engine][query]") {
  RegistryFixture f;
  for (int64_t d = 0; d < 4; ++d) f.AddRaw("HSC/raw/all", 100, d);
  const engine::RegistryView view = f.View();
  const DatasetQuery q{"raw", {"HSC/raw/all"}, {}, true, std::nullopt};
  std::vector<DatasetRef> streamed;
  REQUIRE(view.ForEachDataset(q,
                              [&](DatasetRef&& r) {
                                streamed.push_back(std::move(r));
                                return streamed.size() < 3;
                              })
              .ok());
  auto all = view.QueryDatasets(q);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  REQUIRE(streamed.size() == 3);
  CHECK(Rows(streamed) == Rows(std::vector<DatasetRef>(all->begin(), all->begin() + 3)));
}
