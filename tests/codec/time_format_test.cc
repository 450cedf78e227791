#include "starlog/codec/time_format.h"

#include <catch2/catch.hpp>

using namespace starlog::codec;

TEST_CASE("ISO times parse to nanoseconds since the epoch", "[codec][time]") {
  CHECK(*ParseIsoTime("1970-01-01") == 0);
  CHECK(*ParseIsoTime("1970-01-01T00:00:01Z") == 1'000'000'000);
  CHECK(*ParseIsoTime("2000-01-01T00:00:00") == 946'684'800'000'000'000);
  CHECK(*ParseIsoTime("2024-03-01 12:30") == 1'709'296'200'000'000'000);
  CHECK(*ParseIsoTime("1969-12-31T23:59:59.5") == -500'000'000);
  CHECK(*ParseIsoTime("2024-02-29T00:00:00.000000001") == 1'709'164'800'000'000'001);
  CHECK(ParseIsoTime("2019-02-29").status().IsInvalidArgument());  // Not a leap year.
  CHECK(ParseIsoTime("1900-02-29").status().IsInvalidArgument());  // Centuries are not...
  CHECK(ParseIsoTime("2000-02-29").ok());                          // ... but every 400th.
}

TEST_CASE("ISO times format back to what was parsed", "[codec][time]") {
  for (const char* text : {"2024-03-01T12:30:00", "1999-12-31T23:59:59.123456789",
                           "1969-07-20T20:17:40.5", "2261-12-31T23:59:59"}) {
    auto ns = ParseIsoTime(text);
    REQUIRE(ns.ok());
    CHECK(FormatIsoTime(*ns) == text);
  }
}

TEST_CASE("Malformed times are refused with the text named", "[codec][time]") {
  for (const char* text :
       {"", "2024", "2024-13-01", "2024-02-30", "2024-01-01T25:00", "2024-01-01T10:00:00.",
        "2024-01-01X10:00", "9999-01-01", "2024-01-01T10:00:00+02:00"}) {
    auto r = ParseIsoTime(text);
    INFO(text);
    REQUIRE(r.status().IsInvalidArgument());
    CHECK(r.status().message().find(text) != std::string_view::npos);
  }
}

TEST_CASE("ISO times format with a fixed number of fraction digits", "[codec][time]") {
  const int64_t t = *ParseIsoTime("2024-03-01T12:30:00.1234567");
  CHECK(FormatIsoTime(t, 3) == "2024-03-01T12:30:00.123");
  CHECK(FormatIsoTime(t, 9) == "2024-03-01T12:30:00.123456700");
  CHECK(FormatIsoTime(*ParseIsoTime("2024-03-01"), 3) == "2024-03-01T00:00:00.000");
  CHECK(FormatIsoTime(t, 0) == "2024-03-01T12:30:00");
}
