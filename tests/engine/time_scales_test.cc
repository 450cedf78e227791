#include "starlog/engine/time_scales.h"

#include <catch2/catch.hpp>

#include "starlog/codec/time_format.h"

namespace starlog::engine {
namespace {

int64_t Utc(const char* iso) { return codec::ParseIsoTime(iso).value(); }

TEST_CASE("TAI - UTC follows the leap seconds, not a fixed 37 s", "[time]") {
  CHECK(TaiMinusUtcNs(Utc("2024-03-02T03:04:05")).value() == 37'000'000'000);
  CHECK(TaiMinusUtcNs(Utc("2016-12-31T23:59:59")).value() == 36'000'000'000);
  CHECK(TaiMinusUtcNs(Utc("2017-01-01T00:00:00")).value() == 37'000'000'000);
  CHECK(TaiMinusUtcNs(Utc("2012-06-30T12:00:00")).value() == 34'000'000'000);
  CHECK(TaiMinusUtcNs(Utc("1999-01-01T00:00:00")).value() == 32'000'000'000);
  CHECK(TaiMinusUtcNs(Utc("1972-01-01T00:00:00")).value() == 10'000'000'000);
  CHECK(UtcToTai(Utc("2015-03-01T00:00:00")).value() == Utc("2015-03-01T00:00:35"));
  CHECK(TaiMinusUtcNs(Utc("1950-01-01T00:00:00")).status().IsInvalidArgument());
}

}  // namespace
}  // namespace starlog::engine
