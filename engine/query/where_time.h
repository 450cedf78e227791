#pragma once

// Time literals of where clauses (where.h): the text between the quotes of
// T'...', "[format/]time[/scale]" as the butler takes it. The format is "iso"
// or "isot" (ISO 8601, as codec::ParseIsoTime reads it) or "mjd" (a decimal
// Modified Julian Date), guessed from the text when not given; the scale is
// "tai", "utc" or "tt", by default UTC for ISO and TAI for MJD.

#include <cstdint>
#include <string_view>

#include "starlog/result.h"

namespace starlog::engine {

// TAI nanoseconds since 1970-01-01 (the unit of records' timespans); UTC
// converted with the leap-second table, TT as TAI + 32.184 s. InvalidArgument
// says what was expected otherwise ("an ISO time, not '...'").
Result<int64_t> ParseTimeLiteral(std::string_view text);

}  // namespace starlog::engine
