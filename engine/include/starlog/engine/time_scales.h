#pragma once

// UTC to TAI, as the butler's timespans are stored: TAI - UTC from ERFA's
// leap-second table (eraDat, the table astropy uses), so data from before
// 2017 is not seconds off. Times are nanoseconds since 1970-01-01.

#include <cstdint>

#include "starlog/result.h"

namespace starlog::engine {

// TAI - UTC, in nanoseconds, at UTC time "utc_ns". InvalidArgument for a
// date ERFA does not cover (before 1960, where UTC was not defined so).
Result<int64_t> TaiMinusUtcNs(int64_t utc_ns);

// "utc_ns" as TAI; InvalidArgument as above, or past the range of int64.
Result<int64_t> UtcToTai(int64_t utc_ns);

}  // namespace starlog::engine
