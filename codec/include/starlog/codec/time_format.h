#pragma once

// Times as people write them. Commit times are UTC nanoseconds since the Unix
// epoch; calibration validity is TAI nanoseconds, as the Gen3 butler stores it.
// Both are printed and parsed as ISO 8601 ("2024-03-01T12:00:00.5"), with a
// trailing "Z" for UTC; the scale is the caller's to know.

#include <cstdint>
#include <string>
#include <string_view>

#include "starlog/result.h"

namespace starlog::codec {

// "2024-03-01T12:00:00.000000001": with "fraction_digits" < 0 the trailing
// zeros of the fraction are dropped (and the fraction with them when zero);
// otherwise the fraction has exactly that many digits, truncated.
std::string FormatIsoTime(int64_t ns, int fraction_digits = -1);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fraction]]" (a space may stand
// for "T"), with an optional trailing "Z". Returns InvalidArgument naming the
// text otherwise.
Result<int64_t> ParseIsoTime(std::string_view text);

// The system clock now, in UTC nanoseconds since the Unix epoch.
int64_t NowUtcNs();

}  // namespace starlog::codec
