// Times from headers, through translator rules: ISO, MJD, a date and a time
// in two keywords, a date without a time, impossible dates, and the scale
// (TIMESYS, or the translator's) turned into TAI with ERFA's leap seconds.

#include <catch2/catch.hpp>

#include "starlog/codec/time_format.h"
#include "starlog/ingest/translator.h"

using namespace starlog;
using namespace starlog::ingest;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

FitsCard Text(const std::string& s) { return {FitsCard::Kind::kString, s, 0, 0}; }
FitsCard Number(double x) { return {FitsCard::Kind::kFloat, std::to_string(x), 0, x}; }

int64_t Utc(const char* iso) { return codec::ParseIsoTime(iso).value(); }

// The timespan a translator with "rules" (after instrument and match) gives.
Result<std::pair<int64_t, int64_t>> Span(const std::string& rules, FitsHeader header) {
  header["INSTRUME"] = Text("T");
  auto t = ParseTranslator("instrument T\nmatch INSTRUME T\ntimespan exposure\n" + rules, "t.cfg");
  if (!t.ok()) return t.status();
  STARLOG_ASSIGN_OR_RETURN(auto values, t->Translate(header, engine::Universe::Default()));
  return std::pair{std::get<int64_t>(values.at("exposure.timespan_begin")),
                   std::get<int64_t>(values.at("exposure.timespan_end"))};
}

}  // namespace

TEST_CASE("UTC becomes TAI by ERFA's leap seconds, not a fixed 37 s", "[ingest][time]") {
  const std::string rules = "begin DATE-OBS\nend DATE-END\n";
  // TAI - UTC: 34 s from 2009-01-01, 35 s from 2012-07-01, 37 s from 2017-01-01.
  auto span = Span(rules, {{"DATE-OBS", Text("2012-06-30T23:59:59")},
                           {"DATE-END", Text("2012-07-01T00:00:01")},
                           {"TIMESYS", Text("UTC")}});
  REQUIRE(span.ok());
  CHECK(span->first == Utc("2012-06-30T23:59:59") + 34 * kSecond);
  CHECK(span->second == Utc("2012-07-01T00:00:01") + 35 * kSecond);
  // The leap second lies between: 2 s of UTC are 3 s of TAI.
  CHECK(span->second - span->first == 3 * kSecond);
  span = Span(rules, {{"DATE-OBS", Text("2024-03-02T03:04:05")},
                      {"DATE-END", Text("2024-03-02T03:04:35")}});
  REQUIRE(span.ok());
  CHECK(span->first == Utc("2024-03-02T03:04:05") + 37 * kSecond);  // No TIMESYS: UTC.
}

TEST_CASE("TIMESYS or the translator's scale: TAI, TT, and 'always'", "[ingest][time]") {
  const FitsHeader header = {{"DATE-OBS", Text("2010-06-01T00:00:00")},
                             {"DATE-END", Text("2010-06-01T00:00:30")}};
  const int64_t t = Utc("2010-06-01T00:00:00");
  auto tai = header;
  tai["TIMESYS"] = Text("TAI");
  CHECK(Span("begin DATE-OBS\nend DATE-END\n", tai)->first == t);
  auto tt = header;
  tt["TIMESYS"] = Text("TT");
  CHECK(Span("begin DATE-OBS\nend DATE-END\n", tt)->first == t - 32'184'000'000);
  // No TIMESYS: the translator's scale (as obs_lsst's are TAI).
  CHECK(Span("time_scale tai\nbegin DATE-OBS\nend DATE-END\n", header)->first == t);
  CHECK(Span("begin DATE-OBS\nend DATE-END\n", header)->first == t + 34 * kSecond);
  // A TIMESYS the translator knows to be wrong is overridden with "always".
  auto wrong = header;
  wrong["TIMESYS"] = Text("UTC");
  CHECK(Span("time_scale tai always\nbegin DATE-OBS\nend DATE-END\n", wrong)->first == t);
  CHECK(Span("time_scale tai\nbegin DATE-OBS\nend DATE-END\n", wrong)->first == t + 34 * kSecond);
  auto odd = header;
  odd["TIMESYS"] = Text("GPS");
  auto refused = Span("begin DATE-OBS\nend DATE-END\n", odd);
  REQUIRE_FALSE(refused.ok());
  CHECK(std::string(refused.status().message()).find("TIMESYS 'GPS'") != std::string::npos);
}

TEST_CASE("MJD, and a date and a time in two keywords", "[ingest][time]") {
  // MJD 58000 is 2017-09-04 (MJD 40587 is 1970-01-01, 17,413 days before).
  auto span =
      Span("begin MJD-OBS\nend +EXPTIME\n",
           {{"MJD-OBS", Number(58000.5)}, {"EXPTIME", Number(30)}, {"TIMESYS", Text("UTC")}});
  REQUIRE(span.ok());
  CHECK(span->first == Utc("2017-09-04T12:00:00") + 37 * kSecond);
  CHECK(span->second == span->first + 30 * kSecond);
  // SuprimeCam and HSC: DATE-OBS is a date, UT-STR and UT-END the times.
  span = Span("begin DATE-OBS+UT-STR\nend DATE-OBS+UT-END\n", {{"DATE-OBS", Text("2008-07-29")},
                                                               {"UT-STR", Text("10:42:01.234")},
                                                               {"UT-END", Text("10:43:31.250")}});
  REQUIRE(span.ok());
  CHECK(span->first == Utc("2008-07-29T10:42:01.234") + 33 * kSecond);  // 33 s in 2008.
  CHECK(span->second == Utc("2008-07-29T10:43:31.25") + 33 * kSecond);
  // Alternatives: the first whose keywords are there.
  span = Span("begin DATE-BEG|DATE-OBS\nend DATE-END|+EXPTIME\n",
              {{"DATE-OBS", Text("2020-01-01T00:00:00")}, {"EXPTIME", Number(15)}});
  REQUIRE(span.ok());
  CHECK(span->second - span->first == 15 * kSecond);
  // "at_least": the end is never before begin + exposure time (SuprimeCam).
  span = Span("begin DATE-OBS\nend DATE-END at_least +EXPTIME\n",
              {{"DATE-OBS", Text("2020-01-01T00:00:00")},
               {"DATE-END", Text("2020-01-01T00:00:10")},
               {"EXPTIME", Number(15)}});
  REQUIRE(span.ok());
  CHECK(span->second - span->first == 15 * kSecond);
}

TEST_CASE("A date without a time, an impossible date and an end before the begin are errors",
          "[ingest][time]") {
  auto date_only = Span("begin DATE-OBS\nend +EXPTIME\n",
                        {{"DATE-OBS", Text("2019-03-01")}, {"EXPTIME", Number(1)}});
  REQUIRE_FALSE(date_only.ok());
  const std::string why(date_only.status().message());
  CHECK(why.find("a date without a time") != std::string::npos);
  CHECK(why.find("t.cfg line 4 (begin DATE-OBS)") != std::string::npos);
  auto impossible = Span("begin DATE-OBS\nend +EXPTIME\n",
                         {{"DATE-OBS", Text("2019-02-29T01:00:00")}, {"EXPTIME", Number(1)}});
  REQUIRE_FALSE(impossible.ok());
  CHECK(std::string(impossible.status().message()).find("2019-02-29") != std::string::npos);
  CHECK(Span("begin DATE-OBS\nend +EXPTIME\n",
             {{"DATE-OBS", Text("2020-02-29T01:00:00")}, {"EXPTIME", Number(1)}})
            .ok());  // 2020 is a leap year.
  auto backwards =
      Span("begin DATE-OBS\nend DATE-END\n",
           {{"DATE-OBS", Text("2020-01-01T00:00:10")}, {"DATE-END", Text("2020-01-01T00:00:00")}});
  REQUIRE_FALSE(backwards.ok());
  CHECK(std::string(backwards.status().message()).find("before the begin") != std::string::npos);
  auto lacking = Span("begin DATE-BEG|MJD-BEG\nend +EXPTIME\n", {{"EXPTIME", Number(1)}});
  REQUIRE_FALSE(lacking.ok());
  CHECK(std::string(lacking.status().message())
            .find("lacks keyword DATE-BEG, lacks keyword MJD-BEG") != std::string::npos);
}

TEST_CASE("day_obs from the TAI begin shifted, or from a keyword", "[ingest][time]") {
  FitsHeader header = {{"INSTRUME", Text("T")},
                       {"DATE-OBS", Text("2024-03-02T11:59:40")},
                       {"EXPTIME", Number(1)},
                       {"DAYOBS", Text("20240229")}};
  const auto day = [&](const std::string& rule) -> Result<int64_t> {
    auto t = ParseTranslator(
        "instrument T\nmatch INSTRUME T\ntimespan exposure DATE-OBS EXPTIME\n" + rule, "t.cfg");
    if (!t.ok()) return t.status();
    STARLOG_ASSIGN_OR_RETURN(auto v, t->Translate(header, engine::Universe::Default()));
    return std::get<int64_t>(v.at("day_obs"));
  };
  // 11:59:40 UTC is 12:00:17 TAI: past the noon rollover, as the reference
  // computes the observing day from TAI.
  CHECK(day("day_obs begin -12\n").value() == 20240302);
  CHECK(day("day_obs DAYOBS\n").value() == 20240229);
  header["DAYOBS"] = Text("20230229");
  CHECK_FALSE(day("day_obs DAYOBS\n").ok());
}
