// The where language's times: OVERLAPS between timespans (literals with NULL
// bounds, element.timespan, bare timespan) and times, ":name" binds, and
// bound texts read as times, against exposures of the fixture given
// timespans (100 at 10:00-10:30, 101 at 11:00-11:30, 200 at 12:00-12:30 UTC
// on 2024-03-01).

#include <algorithm>
#include <catch2/catch.hpp>

#include "engine/query/registry_view_impl.h"
#include "starlog/engine/where.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using engine::WhereBinds;
using engine::WhereClause;

namespace {

using Ints = std::vector<int64_t>;

// 2024-03-01 hh:mm:ss UTC as TAI nanoseconds (TAI - UTC = 37 s).
int64_t Utc(int64_t h, int64_t m, int64_t s = 0) {
  return ((19783 * 24 + h) * 3600 + m * 60 + s + 37) * 1'000'000'000;
}

// The fixture with its exposures timed; 200 only begins (no timespan_end)
// when "untimed_200".
struct TimedExposures {
  explicit TimedExposures(bool untimed_200 = false) {
    auto exposures = f.View().QueryDimensionRecords("exposure", {});
    REQUIRE(exposures.ok());
    codec::InsertDimensionRecords timed{"exposure", {}, true};
    for (codec::FieldMap r : *exposures) {
      const int64_t id = std::get<int64_t>(r.at("exposure"));
      const int64_t hour = id == 100 ? 10 : id == 101 ? 11 : 12;
      r["timespan_begin"] = Utc(hour, 0);
      if (!(untimed_200 && id == 200)) r["timespan_end"] = Utc(hour, 30);
      timed.records.push_back(std::move(r));
    }
    f.Append(timed);
  }

  Ints Exposures(std::string_view where, const WhereBinds& binds = {}) {
    auto clause = WhereClause::Parse(where, binds);
    INFO(where << ": " << clause.status().ToString());
    REQUIRE(clause.ok());
    auto ids = f.View().QueryDataIds({"exposure"}, *clause);
    INFO(ids.status().ToString());
    REQUIRE(ids.ok());
    Ints out;
    for (const auto& id : *ids) out.push_back(std::get<int64_t>(id.at("exposure")));
    std::sort(out.begin(), out.end());
    return out;
  }

  Status BindError(std::string_view where, const WhereBinds& binds = {}) {
    auto clause = WhereClause::Parse(where, binds);
    REQUIRE(clause.ok());
    return f.View().QueryDataIds({"exposure"}, *clause).status();
  }

  testutil::RegistryFixture f;
};

std::string Printed(std::string_view text, const WhereBinds& binds = {}) {
  auto w = WhereClause::Parse(text, binds);
  INFO(text << ": " << w.status().ToString());
  REQUIRE(w.ok());
  return w->ToString();
}

}  // namespace

TEST_CASE("Where OVERLAPS: timespan literals parse, NULL bounds unbounded, groups still groups",
          "[engine][where]") {
  const std::string t = std::to_string(Utc(11, 0));
  CHECK(Printed("visit.timespan OVERLAPS (null, :t1)", {{"t1", Utc(11, 0)}}) ==
        "visit.timespan OVERLAPS (NULL, " + t + ")");
  CHECK(Printed("(:t1, NULL) overlaps timespan", {{"t1", Utc(11, 0)}}) ==
        "(" + t + ", NULL) OVERLAPS timespan");
  CHECK(Printed("T'2024-03-01 11:00:00' OVERLAPS exposure.timespan") ==
        t + " OVERLAPS exposure.timespan");
  CHECK(Printed("exposure.timespan OVERLAPS (T'2024-03-01T11:00:37/tai', T'60370.5')") ==
        "exposure.timespan OVERLAPS (" + t + ", " + std::to_string(Utc(12, 0, -37)) + ")");
  // (t, t) is the instant t, as the butler's Timespan makes it.
  CHECK(Printed("timespan OVERLAPS (5, 5)") == "timespan OVERLAPS (5, 6)");
  // A parenthesis without a comma is still a group.
  CHECK(Printed("(a = 1 OR b = 2) AND timespan OVERLAPS (NULL, NULL)") ==
        "(a = 1 OR b = 2) AND timespan OVERLAPS (NULL, NULL)");
  // A bind named null is a bind, as the butler looks binds up first.
  CHECK(Printed("timespan OVERLAPS (null, 9)", {{"null", int64_t{3}}}) ==
        "timespan OVERLAPS (3, 9)");

  CHECK(Says(WhereClause::Parse("timespan OVERLAPS (T'2024-03-01', '2024-03-02')").status(),
             "NULL as a timespan's end (a time is written T'2013-06-17 13:30:00') at column 35"));
  CHECK(Says(WhereClause::Parse("timespan OVERLAPS (T'2024-03-01', '2024-03-02')").status(),
             "a time is written T'"));
  // Inside a literal, the literal's error, not a group's.
  CHECK(Says(WhereClause::Parse("(T'2024-03-01', T'2024-13-01') OVERLAPS timespan").status(),
             "an ISO time"));
  CHECK(Says(WhereClause::Parse("timespan OVERLAPS (1, 2").status(),
             "')' after a timespan's end at column 24"));
  CHECK(Says(WhereClause::Parse("timespan OVERLAPS ((1, 2), 3)").status(),
             "as a timespan's begin at column 20"));
}

TEST_CASE("Where OVERLAPS: half-open timespans against exposures' timespans and instants",
          "[engine][where]") {
  TimedExposures e;
  const WhereBinds binds = {
      {"t1", Utc(11, 0)},
      {"t2", Utc(11, 10)},
      {"t3", Utc(12, 0)},
      {"t4", Utc(10, 30)},
      {"noon", Utc(12, 0)},
      {"gap", Utc(11, 45)},
      {"ts", engine::TimespanBindValue(codec::Timespan{Utc(10, 15), Utc(11, 0)})}};
  // Ends are exclusive: 101 begins at t1.
  CHECK(e.Exposures("exposure.timespan OVERLAPS (NULL, :t1)", binds) == Ints{100});
  CHECK(e.Exposures("(:t1, null) OVERLAPS exposure.timespan", binds) == Ints{101, 200});
  CHECK(e.Exposures("exposure.timespan OVERLAPS (:t4, :t1)", binds).empty());  // 100 ends at t4.
  CHECK(e.Exposures("exposure.timespan OVERLAPS (NULL, NULL)", binds) == Ints{100, 101, 200});
  CHECK(e.Exposures("exposure.timespan OVERLAPS :ts", binds) == Ints{100});
  // Empty timespans overlap nothing, not even what spans them.
  CHECK(e.Exposures("exposure.timespan OVERLAPS (:t3, :t1)", binds).empty());
  CHECK(e.Exposures("(NULL, NULL) OVERLAPS (:t3, :t1)", binds).empty());
  // A time is the instant: in [begin, end).
  CHECK(e.Exposures("exposure.timespan OVERLAPS :t2", binds) == Ints{101});
  CHECK(e.Exposures(":t2 OVERLAPS exposure.timespan", binds) == Ints{101});
  CHECK(e.Exposures("T'2024-03-01 12:00:00' OVERLAPS timespan") == Ints{200});
  CHECK(e.Exposures("timespan OVERLAPS :gap", binds).empty());
  CHECK(e.Exposures("exposure.timespan.begin OVERLAPS (:t1, :noon)", binds) == Ints{101});
  CHECK(e.Exposures("NOT timespan OVERLAPS (NULL, :t1) AND exposure > 100", binds) ==
        Ints{101, 200});
  // Bare timespan.begin too, as in an order.
  CHECK(e.Exposures("timespan.begin >= :t1", binds) == Ints{101, 200});

  // As records: the candidate element's own timespan.
  auto records = e.f.View().QueryDimensionRecords(
      "exposure", *WhereClause::Parse("timespan OVERLAPS :t2", binds));
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK(std::get<int64_t>(records->front().at("exposure")) == 101);
}

TEST_CASE("Where OVERLAPS: a record without a timespan is unknown, neither in nor out",
          "[engine][where]") {
  TimedExposures e(/*untimed_200=*/true);
  CHECK(e.Exposures("timespan OVERLAPS (NULL, NULL)") == Ints{100, 101});
  CHECK(e.Exposures("NOT timespan OVERLAPS (NULL, NULL)").empty());
}

TEST_CASE("Where OVERLAPS: names and types are checked when bound", "[engine][where]") {
  TimedExposures e;
  CHECK(Says(e.BindError("exposure.timespan.begin OVERLAPS 5"),
             "OVERLAPS needs a timespan on one side"));
  CHECK(Says(e.BindError("exposure.timespan OVERLAPS 'noon'"),
             "OVERLAPS takes a timespan or a time, not 'noon', a string"));
  CHECK(
      Says(e.BindError("detector.timespan OVERLAPS 5"), "which names no element with a timespan"));
  CHECK(Says(e.BindError("exposure.obs_id OVERLAPS (NULL, 5)"), "not exposure.obs_id, a string"));
  CHECK(Says(e.BindError("exposure.timespan = (NULL, 5)"), "is compared only by OVERLAPS"));
  // Bare timespan names the one element with one: data IDs over exposure and
  // visit have two.
  auto clause = WhereClause::Parse("timespan OVERLAPS 5");
  REQUIRE(clause.ok());
  auto bound = engine::BoundWhere::Bind(engine::Universe::Default(), *clause,
                                        {"exposure", "instrument", "visit"});
  CHECK(Says(bound.status(),
             "exactly one element of the data IDs over {exposure, instrument, "
             "visit} with a timespan (else name it: element.timespan)"));
  CHECK(engine::BoundWhere::Bind(engine::Universe::Default(),
                                 *WhereClause::Parse("visit.timespan OVERLAPS 5"),
                                 {"exposure", "instrument", "visit"})
            .ok());
}

TEST_CASE("Where: :name binds as the butler's new query system writes them", "[engine][where]") {
  const WhereBinds binds = {{"my_band", std::string("r")}, {"d", int64_t{2}}, {"s", int64_t{3}}};
  CHECK(Printed("band = :my_band AND detector IN (:d, 7)", binds) ==
        "band = 'r' AND detector IN (2, 7)");
  CHECK(Printed("x IN (:d..9:s, 1..9:2)", binds) == "x IN (2..9:3, 1..9:2)");
  // A bind shadows nothing here it would not bare: ":detector" is a bind.
  CHECK(Printed("detector = :d", binds) == "detector = 2");
  CHECK(Says(WhereClause::Parse("band = :other", binds).status(),
             "a name given a value in the binds (none is given for :other) at column 8"));
  testutil::RegistryFixture f;
  auto ids = f.View().QueryDataIds({"exposure"}, *WhereClause::Parse("band = :my_band", binds));
  REQUIRE(ids.ok());
  CHECK(ids->size() == 2);  // 100 and 200 are HSC-R.
}

TEST_CASE("Where: a bound text where a time is expected is read as a time literal",
          "[engine][where]") {
  TimedExposures e;
  // As a command line's --bind gives them: text.
  const WhereBinds binds = {
      {"t", std::string("2024-03-01T11:10:00")},
      {"tq", std::string("T'2024-03-01 11:00:37/tai'")},
      {"ts", std::string("(T'2024-03-01 10:15:00', NULL)")},
      {"bad", std::string("soon")},
      {"band", std::string("2024-03-01")},
  };
  CHECK(e.Exposures("exposure.timespan OVERLAPS :t", binds) == Ints{101});
  CHECK(e.Exposures("timespan OVERLAPS (tq, NULL)", binds) == Ints{101, 200});
  CHECK(e.Exposures("timespan OVERLAPS ts", binds) == Ints{100, 101, 200});
  CHECK(e.Exposures("exposure.timespan.begin >= :tq", binds) == Ints{101, 200});
  CHECK(e.Exposures(":t > exposure.timespan_begin", binds) == Ints{100, 101});
  CHECK(Printed("timespan.end < :t", binds) == "timespan.end < " + std::to_string(Utc(11, 10)));
  // Elsewhere a text stays a text.
  CHECK(Printed("physical_filter = :band", binds) == "physical_filter = '2024-03-01'");
  CHECK(Says(WhereClause::Parse("timespan OVERLAPS :bad", binds).status(),
             "the bind value 'soon' at column 19 is no time or timespan: an ISO time"));
  CHECK(Says(WhereClause::Parse("exposure.timespan.begin < :ts", binds).status(),
             "is no time: a time, not a timespan"));
  // A quoted literal is no bind: the butler wants T'...' for a time.
  CHECK(Says(e.BindError("exposure.timespan.begin < '2024-03-01'"), "is int, not '2024-03-01'"));
}
