// Time literals of where clauses, T'...', as the butler reads them.

#include "engine/where_time.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "starlog/codec/time_format.h"

namespace starlog::engine {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kNsPerDay = 86'400 * kNsPerSecond;
constexpr double kMjdUnixEpoch = 40587.0;  // MJD of 1970-01-01.

constexpr int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// TAI - UTC from each date on (IERS Bulletin C); 10 s before 1972 as well,
// where the real offset drifted and no data of ours is from.
struct LeapStep {
  int64_t utc_day;  // Days since 1970-01-01.
  int seconds;
};
constexpr std::array<LeapStep, 27> kLeapSteps = {{
    {DaysFromCivil(1972, 7, 1), 11}, {DaysFromCivil(1973, 1, 1), 12},
    {DaysFromCivil(1974, 1, 1), 13}, {DaysFromCivil(1975, 1, 1), 14},
    {DaysFromCivil(1976, 1, 1), 15}, {DaysFromCivil(1977, 1, 1), 16},
    {DaysFromCivil(1978, 1, 1), 17}, {DaysFromCivil(1979, 1, 1), 18},
    {DaysFromCivil(1980, 1, 1), 19}, {DaysFromCivil(1981, 7, 1), 20},
    {DaysFromCivil(1982, 7, 1), 21}, {DaysFromCivil(1983, 7, 1), 22},
    {DaysFromCivil(1985, 7, 1), 23}, {DaysFromCivil(1988, 1, 1), 24},
    {DaysFromCivil(1990, 1, 1), 25}, {DaysFromCivil(1991, 1, 1), 26},
    {DaysFromCivil(1992, 7, 1), 27}, {DaysFromCivil(1993, 7, 1), 28},
    {DaysFromCivil(1994, 7, 1), 29}, {DaysFromCivil(1996, 1, 1), 30},
    {DaysFromCivil(1997, 7, 1), 31}, {DaysFromCivil(1999, 1, 1), 32},
    {DaysFromCivil(2006, 1, 1), 33}, {DaysFromCivil(2009, 1, 1), 34},
    {DaysFromCivil(2012, 7, 1), 35}, {DaysFromCivil(2015, 7, 1), 36},
    {DaysFromCivil(2017, 1, 1), 37},
}};

int64_t TaiMinusUtcNs(int64_t utc_ns) {
  const int64_t day = utc_ns >= 0 ? utc_ns / kNsPerDay : -((-utc_ns - 1) / kNsPerDay) - 1;
  int seconds = 10;
  for (const LeapStep& step : kLeapSteps) {
    if (day >= step.utc_day) seconds = step.seconds;
  }
  return seconds * kNsPerSecond;
}

bool LooksLikeNumber(std::string_view s) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Result<int64_t> ParseTimeLiteral(std::string_view text) {
  std::string_view format, scale, body = text;
  if (auto slash = body.find('/'); slash != std::string_view::npos) {
    const std::string_view head = body.substr(0, slash);
    if (head == "iso" || head == "isot" || head == "mjd") {
      format = head;
      body.remove_prefix(slash + 1);
    }
  }
  if (auto slash = body.rfind('/'); slash != std::string_view::npos) {
    scale = body.substr(slash + 1);
    body = body.substr(0, slash);
    if (scale != "tai" && scale != "utc" && scale != "tt") {
      return Status::InvalidArgument("time scale '" + std::string(scale) +
                                     "' (known: tai, utc, tt)");
    }
  }
  if (format.empty()) format = LooksLikeNumber(body) ? "mjd" : "iso";
  int64_t ns = 0;
  if (format == "mjd") {
    double mjd = 0;
    const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), mjd);
    const double value = (mjd - kMjdUnixEpoch) * static_cast<double>(kNsPerDay);
    if (ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(value) ||
        std::fabs(value) > 9.0e18) {
      return Status::InvalidArgument("an MJD, not '" + std::string(body) + "'");
    }
    ns = std::llround(value);
    if (scale.empty()) scale = "tai";
  } else {
    auto parsed = codec::ParseIsoTime(body);
    if (!parsed.ok())
      return Status::InvalidArgument("an ISO time, not '" + std::string(body) + "'");
    ns = *parsed;
    if (scale.empty()) scale = "utc";
  }
  // Far from any leap second, TT - TAI is 32.184 s exactly.
  const int64_t shift = scale == "utc" ? TaiMinusUtcNs(ns) : scale == "tt" ? -32'184'000'000 : 0;
  if ((shift > 0 && ns > std::numeric_limits<int64_t>::max() - shift) ||
      (shift < 0 && ns < std::numeric_limits<int64_t>::min() - shift)) {
    return Status::InvalidArgument("a time within the range of 64-bit nanoseconds");
  }
  return ns + shift;
}

}  // namespace starlog::engine
