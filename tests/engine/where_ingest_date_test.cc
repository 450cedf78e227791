// ingest_date in dataset queries' where clauses: a dataset's registration
// time (its registering event's commit time, as TAI), compared with times as
// the butler's testIngestTimeQuery does.

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "starlog/engine/time_scales.h"
#include "starlog/engine/where.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using engine::WhereBinds;
using engine::WhereClause;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<int64_t> Exposures(const engine::RegistryView& v, std::string_view where,
                               const WhereBinds& binds = {}) {
  auto clause = WhereClause::Parse(where, binds);
  INFO(where << ": " << clause.status().ToString());
  REQUIRE(clause.ok());
  auto refs = v.QueryDatasets({"raw", {"HSC/raw/all"}, *clause, false, std::nullopt});
  INFO(refs.status().ToString());
  REQUIRE(refs.ok());
  std::vector<int64_t> out;
  for (const auto& r : *refs) out.push_back(std::get<int64_t>(r.data_id.at("exposure")));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("Where: ingest_date is when a dataset was registered, as TAI", "[engine][where]") {
  testutil::RegistryFixture f;
  f.AddRaw("HSC/raw/all", 100, 0);
  const uint64_t first_event = f.head();
  const int64_t first = f.store().head().commit_time_ns;
  // Commit times are the clock's: let it move on before the second.
  for (int i = 0; i < 1000 && NowNs() <= first; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  f.AddRaw("HSC/raw/all", 101, 1);
  REQUIRE(f.store().head().commit_time_ns > first);
  auto v = f.View();
  using Ints = std::vector<int64_t>;
  CHECK(Exposures(v, "ingest_date > T'2000-01-01'") == Ints{100, 101});
  CHECK(Exposures(v, "T'2000-01-01' < ingest_date") == Ints{100, 101});
  CHECK(Exposures(v, "ingest_date > T'2050-01-01'").empty());
  CHECK(Exposures(v, "T'2050-01-01' < ingest_date").empty());
  // An aware datetime's isoformat() in UTC, as the butler's testIngestTimeQuery
  // writes it: the offset is dropped, as its parser drops it.
  CHECK(Exposures(v, "ingest_date > T'2000-01-01 00:00:00.000001+00:00'") == Ints{100, 101});
  CHECK(Exposures(v, "ingest_date > T'2050-01-01T00:00:00+00:00'").empty());
  // To the nanosecond, in TAI (no 37 s offset, the butler's DM-30124).
  auto tai = engine::UtcToTai(first);
  REQUIRE(tai.ok());
  const WhereBinds at_first = {{"t", *tai}};
  CHECK(Exposures(v, "ingest_date = :t", at_first) == Ints{100});
  CHECK(Exposures(v, "ingest_date > :t", at_first) == Ints{101});
  // Not a data ID key: a seek on the other keys still finds the dataset.
  CHECK(Exposures(v, "ingest_date = :t AND detector = 0 AND exposure = 100", at_first) ==
        Ints{100});
  CHECK(Exposures(v, "ingest_date = :t AND detector = 1", at_first).empty());
  // As of the first event, the second dataset was never registered.
  CHECK(Exposures(f.View(first_event), "ingest_date > T'2000-01-01'") == Ints{100});
  // Data IDs have none.
  auto ids = v.QueryDataIds({"exposure"}, *WhereClause::Parse("ingest_date > T'2000-01-01'"));
  CHECK(Says(ids.status(), "ingest_date is a dataset's, known to dataset queries"));
}
