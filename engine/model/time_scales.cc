#include "starlog/engine/time_scales.h"

#include <erfa.h>

#include <cmath>
#include <limits>
#include <string>

namespace starlog::engine {

namespace {

constexpr int64_t kNsPerDay = 86'400'000'000'000;

// The civil date of day "days" since 1970-01-01 (Howard Hinnant's algorithm).
void CivilFromDays(int64_t days, int* y, int* m, int* d) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}

}  // namespace

Result<int64_t> TaiMinusUtcNs(int64_t utc_ns) {
  const int64_t day = utc_ns >= 0 ? utc_ns / kNsPerDay : -((-utc_ns - 1) / kNsPerDay) - 1;
  const double fraction = static_cast<double>(utc_ns - day * kNsPerDay) / kNsPerDay;
  int y, m, d;
  CivilFromDays(day, &y, &m, &d);
  double seconds = 0;
  // Status 1 ("dubious year") after 1960 means past ERFA's table, where the
  // next leap second is not known yet: the last known offset, as astropy
  // uses. Before 1960 there was no UTC to convert.
  if (y < 1960 || eraDat(y, m, d, fraction, &seconds) < 0) {
    return Status::InvalidArgument("no TAI - UTC for " + std::to_string(y) +
                                   " (UTC as defined since 1960 only)");
  }
  return static_cast<int64_t>(std::llround(seconds * 1e9));
}

Result<int64_t> UtcToTai(int64_t utc_ns) {
  STARLOG_ASSIGN_OR_RETURN(int64_t shift, TaiMinusUtcNs(utc_ns));
  if (utc_ns > std::numeric_limits<int64_t>::max() - shift) {
    return Status::InvalidArgument("a time past the range of 64-bit nanoseconds");
  }
  return utc_ns + shift;
}

}  // namespace starlog::engine
