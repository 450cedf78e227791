// The where language: parsing (precedence, NOT, IN with ranges and strides,
// literals, binds, errors with columns) and evaluation against the fixture's
// dimension records (detectors 0-3; exposures 100 HSC-R science, 101 HSC-I
// science, 200 HSC-R bias).

#include "starlog/engine/where.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "engine/query/registry_view_impl.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using engine::WhereBinds;
using engine::WhereClause;
using engine::WhereNode;

namespace {

std::string Printed(std::string_view text, const WhereBinds& binds = {}) {
  auto w = WhereClause::Parse(text, binds);
  INFO(text);
  REQUIRE(w.ok());
  return w->ToString();
}

std::string ErrorOf(std::string_view text) {
  auto w = WhereClause::Parse(text);
  return w.ok() ? std::string("(parsed)") : std::string(w.status().message());
}

// The values of "key" among the data IDs over "dimensions" matching "where".
std::vector<int64_t> Matching(const engine::RegistryView& v, const std::vector<std::string>& dims,
                              const std::string& key, std::string_view where,
                              const WhereBinds& binds = {}) {
  auto clause = WhereClause::Parse(where, binds);
  INFO(where);
  REQUIRE(clause.ok());
  auto ids = v.QueryDataIds(dims, *clause);
  INFO(ids.status().ToString());
  REQUIRE(ids.ok());
  std::vector<int64_t> out;
  for (const auto& id : *ids) out.push_back(std::get<int64_t>(id.at(key)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

using Ints = std::vector<int64_t>;

}  // namespace

TEST_CASE("Where: OR binds looser than AND, AND looser than NOT", "[engine][where]") {
  CHECK(Printed("a = 1 OR b = 2 AND c = 3") == "a = 1 OR (b = 2 AND c = 3)");
  CHECK(Printed("a = 1 AND b = 2 OR c = 3") == "(a = 1 AND b = 2) OR c = 3");
  CHECK(Printed("NOT a = 1 AND b = 2") == "NOT a = 1 AND b = 2");
  CHECK(Printed("NOT (a = 1 AND b = 2)") == "NOT (a = 1 AND b = 2)");
  CHECK(Printed("(a = 1 OR b = 2) AND c = 3") == "(a = 1 OR b = 2) AND c = 3");
  CHECK(Printed("a=1 or not b<>2") == "a = 1 OR NOT b != 2");
  CHECK(Printed("a NOT IN (1, 2)") == "NOT a IN (1, 2)");
}

TEST_CASE("Where: literals, ranges with strides, three-part names", "[engine][where]") {
  CHECK(Printed("x IN (1..10:3, -10..-1:2, 42)") == "x IN (42, 1..10:3, -10..-1:2)");
  CHECK(Printed("s = \"it's\" AND t = 'say \"hi\"'") == "s = \"it's\" AND t = 'say \"hi\"'");
  CHECK(Printed("physical_filter = HSC-R AND c = u/alice:x") ==
        "physical_filter = HSC-R AND c = u/alice:x");
  CHECK(Printed("exposure.timespan.begin > 5") == "exposure.timespan.begin > 5");
  auto w = WhereClause::Parse("x IN (1..10:3)");
  REQUIRE(w.ok());
  const auto& range = w->root->ranges.at(0);
  CHECK(range.Contains(1));
  CHECK(range.Contains(10));
  CHECK_FALSE(range.Contains(2));
  CHECK_FALSE(range.Contains(13));
  // Extreme ranges neither overflow nor expand.
  auto wide = WhereClause::Parse("x IN (-9223372036854775808..9223372036854775807:2)");
  REQUIRE(wide.ok());
  CHECK(wide->root->ranges.at(0).Contains(9223372036854775806));
  CHECK_FALSE(wide->root->ranges.at(0).Contains(9223372036854775807));
}

TEST_CASE("Where: time literals are TAI nanoseconds, ISO read as UTC unless /tai",
          "[engine][where]") {
  const auto value = [](std::string_view text) {
    auto w = WhereClause::Parse(text);
    INFO(text << ": " << w.status().ToString());
    REQUIRE(w.ok());
    return std::get<int64_t>(w->root->rhs.value);
  };
  const int64_t day = 86'400'000'000'000;
  const int64_t midnight_2024 = 19723 * day;  // 2024-01-01T00:00:00 as a clock reading.
  CHECK(value("t > T'2024-01-01T00:00:00/tai'") == midnight_2024);
  CHECK(value("t > T'2024-01-01 00:00:00'") == midnight_2024 + 37'000'000'000);
  CHECK(value("t > T'iso/2024-01-01/utc'") == midnight_2024 + 37'000'000'000);
  CHECK(value("t > T'1980-01-01T00:00:00'") == 3652 * day + 19'000'000'000);  // TAI-UTC 19 s.
  CHECK(value("t > T'60310'") == midnight_2024);  // MJD 60310 is 2024-01-01, TAI.
  CHECK(value("t > T'mjd/60310.5/tai'") == midnight_2024 + day / 2);
  CHECK(value("t > T'60310/utc'") == midnight_2024 + 37'000'000'000);
  CHECK(ErrorOf("t > T'2024-13-01'").find("an ISO time") != std::string::npos);
  CHECK(ErrorOf("t > T'2024-01-01/gps'").find("time scale 'gps'") != std::string::npos);
}

TEST_CASE("Where: bind values replace single names, before dimensions", "[engine][where]") {
  const WhereBinds binds = {{"det", int64_t{2}}, {"inst", std::string("HSC")}, {"hi", int64_t{9}}};
  CHECK(Printed("detector = det AND instrument = inst", binds) ==
        "detector = 2 AND instrument = 'HSC'");
  CHECK(Printed("x IN (det..hi)", binds) == "x IN (2..9)");
  // A bind named like a dimension shadows it, as in the butler; a dotted name
  // is never a bind.
  CHECK(Printed("detector = 1", {{"detector", int64_t{3}}}) == "3 = 1");
  CHECK(Printed("detector.full_name = detector", {{"detector", std::string("HSC")}}) ==
        "detector.full_name = 'HSC'");
  CHECK(engine::ParseBindValue("42") == codec::FieldValue(int64_t{42}));
  CHECK(engine::ParseBindValue("-7") == codec::FieldValue(int64_t{-7}));
  CHECK(engine::ParseBindValue("HSC-R") == codec::FieldValue(std::string("HSC-R")));
  CHECK(engine::ParseBindValue("12a") == codec::FieldValue(std::string("12a")));
  CHECK(engine::ParseBindValue("") == codec::FieldValue(std::string("")));
}

TEST_CASE("Where: errors point at the column of the offending token", "[engine][where]") {
  CHECK(Says(WhereClause::Parse("detector = = 5").status(), "at column 12"));
  CHECK(Says(WhereClause::Parse("detector IN (1, 2").status(), "',' or ')' at column 18"));
  CHECK(Says(WhereClause::Parse("(a = 1 OR b = 2").status(), "')' at column 16"));
  CHECK(Says(WhereClause::Parse("band = 'r' AND x = 'oops").status(),
             "a closing quote for this one at column 20"));
  // Columns count characters, not bytes.
  CHECK(Says(WhereClause::Parse("x = 'é' y").status(), "at column 9"));
  CHECK(Says(WhereClause::Parse("x IN (1..5:-1)").status(), "a stride of at least 1"));
  CHECK(Says(WhereClause::Parse(std::string(200, '(') + "a = 1" + std::string(200, ')')).status(),
             "fewer nested"));
}

TEST_CASE("Where: evaluation follows NOT, OR, parentheses and IN", "[engine][where]") {
  testutil::RegistryFixture f;
  auto v = f.View();
  const std::vector<std::string> det = {"detector"};
  CHECK(Matching(v, det, "detector", "detector = 0 OR detector = 3") == Ints{0, 3});
  CHECK(Matching(v, det, "detector", "NOT detector = 0") == Ints{1, 2, 3});
  CHECK(Matching(v, det, "detector", "detector NOT IN (0..3:2)") == Ints{1, 3});
  CHECK(Matching(v, det, "detector", "detector IN (0..3:2)") == Ints{0, 2});
  CHECK(Matching(v, det, "detector", "detector IN (3, 0..1)") == Ints{0, 1, 3});
  CHECK(Matching(v, det, "detector", "detector = 0 OR detector = 1 AND detector = 2") == Ints{0});
  CHECK(Matching(v, det, "detector", "(detector = 0 OR detector = 1) AND detector = 1") == Ints{1});
  CHECK(Matching(v, det, "detector", "NOT (detector < 1 OR detector >= 3)") == Ints{1, 2});
  CHECK(Matching(v, det, "detector", "detector.full_name = 'ccd2' OR detector = d",
                 {{"d", int64_t{3}}}) == Ints{2, 3});
  const std::vector<std::string> exp = {"exposure"};
  CHECK(Matching(v, exp, "exposure", "band = r AND NOT exposure.observation_type = bias") ==
        Ints{100});
  CHECK(Matching(v, exp, "exposure", "physical_filter IN ('HSC-I', HSC-R) AND exposure > 100") ==
        Ints{101, 200});
  CHECK(Matching(v, exp, "exposure", "exposure.day_obs = day_obs AND day_obs = 20240302") ==
        Ints{101});
  // Records as candidates: a bare name may be one of the record's fields.
  auto records = v.QueryDimensionRecords(
      "exposure", *WhereClause::Parse("observation_type = 'bias' OR physical_filter = 'HSC-I'"));
  REQUIRE(records.ok());
  CHECK(records->size() == 2);
}

TEST_CASE("Where: time literals compare with record timespans", "[engine][where]") {
  testutil::RegistryFixture f;
  auto before = WhereClause::Parse("exposure.timespan.begin < T'2024-03-01T12:00:00'");
  REQUIRE(before.ok());
  auto exposures = f.View().QueryDimensionRecords("exposure", {});
  REQUIRE(exposures.ok());
  codec::InsertDimensionRecords timed{"exposure", {}, true};
  int64_t hour = 0;
  for (codec::FieldMap r : *exposures) {
    // 2024-03-01T10:00, 11:00, 12:00 UTC, as TAI.
    r["timespan_begin"] = (19783 * 24 + 10 + hour++) * 3'600'000'000'000 + 37'000'000'000;
    timed.records.push_back(std::move(r));
  }
  f.Append(timed);
  auto v = f.View();
  const std::vector<std::string> exp = {"exposure"};
  CHECK(Matching(v, exp, "exposure", "exposure.timespan.begin < T'2024-03-01T12:00:00'") ==
        Ints{100, 101});
  CHECK(Matching(v, exp, "exposure", "exposure.timespan_begin >= T'2024-03-01T12:00:37/tai'") ==
        Ints{200});
  // Exposures without a record of the field are unknown, and NOT keeps them out.
  CHECK(Matching(v, exp, "exposure", "NOT exposure.timespan_end > 0").empty());
}

TEST_CASE("Where: names and types are checked once, against the query's dimensions",
          "[engine][where]") {
  testutil::RegistryFixture f;
  auto v = f.View();
  const auto bind_error = [&](std::string_view text) {
    auto clause = WhereClause::Parse(text);
    REQUIRE(clause.ok());
    return v.QueryDataIds({"detector"}, *clause).status();
  };
  CHECK(Says(bind_error("tract = 5"), "'tract' (column 1) names nothing known"));
  CHECK(Says(bind_error("detector = 1 OR detectr = 2"), "'detectr' (column 17)"));
  CHECK(Says(bind_error("detector = 'x'"), "detector is int, not 'x'"));
  CHECK(Says(bind_error("instrument IN (1..3)"), "is in no range"));
  CHECK(Says(bind_error("detector = instrument"), "compares detector, int, with instrument"));
  CHECK(Says(bind_error("exposure.observation_type = x"), "'exposure.observation_type'"));
}

TEST_CASE("Where: keys pinned by a top-level AND of equalities are found by a seek",
          "[engine][where]") {
  const auto fixed = [](std::string_view text) {
    auto clause = WhereClause::Parse(text);
    REQUIRE(clause.ok());
    auto bound = engine::BoundWhere::Bind(engine::Universe::Default(), *clause,
                                          {"detector", "exposure", "instrument"});
    INFO(text << ": " << bound.status().ToString());
    REQUIRE(bound.ok());
    return bound->FixedKeys();
  };
  CHECK(fixed("detector = 1") == codec::FieldMap{{"detector", int64_t{1}}});
  CHECK(fixed("instrument = HSC AND 7 = exposure AND detector > 2") ==
        codec::FieldMap{{"instrument", std::string("HSC")}, {"exposure", int64_t{7}}});
  CHECK(fixed("detector = 1 OR detector = 2").empty());
  CHECK(fixed("NOT detector = 1").empty());
  CHECK(fixed("band = r AND exposure.observation_type = science").empty());  // Not keys.

  testutil::RegistryFixture f;
  auto v = f.View();
  const auto count = [&](std::string_view text) {
    auto records = v.QueryDimensionRecords("detector", *WhereClause::Parse(text));
    INFO(text << ": " << records.status().ToString());
    REQUIRE(records.ok());
    return records->size();
  };
  CHECK(count("instrument = 'HSC' AND detector = 2") == 1);
  CHECK(count("instrument = 'HSC' AND detector = 2 AND full_name = 'ccd3'") == 0);
  CHECK(count("instrument = 'HSC' AND detector = 9") == 0);
  CHECK(count("instrument = 'HSC' AND detector = 2 AND detector = 3") == 0);
  CHECK(count("instrument = 'HSC' AND detector >= 2") == 2);
}
