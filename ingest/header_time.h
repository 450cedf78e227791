#pragma once

// Times from header keywords, as TAI nanoseconds (the butler's timespans):
//
//   source := KEY          an ISO 8601 date and time ("2019-03-02T03:04:05.5"),
//                          or a number: a Modified Julian Date (MJD-OBS)
//           | DATE+TIME    the date part of DATE (its first ten characters)
//                          and the time of day in TIME ("03:04:05.5")
//
// A date without a time is an error (the rule must say where the time is),
// as is a date that does not exist (2019-02-29). The scale is the
// translator's when it says "always", else TIMESYS's (UTC, TAI or TT), else
// the translator's (UTC unless it says). UTC becomes TAI by ERFA's table of
// leap seconds; TT is TAI + 32.184 s.

#include <string>

#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

enum class TimeScale { kUtc, kTai, kTt };

struct TimeSource {
  std::string keyword;       // The date and time, or the date (with time_keyword).
  std::string time_keyword;  // Empty: "keyword" holds the time too.
};

struct TimeScaleRule {
  TimeScale scale = TimeScale::kUtc;
  bool ignore_timesys = false;  // The translator's scale even when TIMESYS says another.
};

// NotFound when the keyword (either) is absent or blank; InvalidArgument
// naming the keyword when its value is no time.
Result<int64_t> HeaderTimeTai(const FitsHeader& header, const TimeSource& source,
                              const TimeScaleRule& scale);

}  // namespace starlog::ingest
