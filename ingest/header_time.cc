#include "ingest/header_time.h"

#include <algorithm>
#include <cmath>

#include "starlog/codec/time_format.h"
#include "starlog/engine/time_scales.h"

namespace starlog::ingest {

namespace {

constexpr int64_t kTtMinusTaiNs = 32'184'000'000;
constexpr double kUnixEpochMjd = 40587.0;

Result<const FitsCard*> Card(const FitsHeader& header, const std::string& keyword) {
  auto it = header.find(keyword);
  if (it == header.end() || it->second.text.empty()) {
    return Status::NotFound("lacks keyword " + keyword);
  }
  return &it->second;
}

Result<TimeScale> ScaleOf(const FitsHeader& header, const TimeScaleRule& rule) {
  if (rule.ignore_timesys) return rule.scale;
  auto it = header.find("TIMESYS");
  if (it == header.end() || it->second.text.empty()) return rule.scale;
  std::string s = it->second.text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  if (s == "UTC") return TimeScale::kUtc;
  if (s == "TAI") return TimeScale::kTai;
  if (s == "TT" || s == "TDT") return TimeScale::kTt;
  return Status::InvalidArgument("TIMESYS '" + it->second.text +
                                 "' is not a scale starlog converts (UTC, TAI, TT)");
}

Result<int64_t> ToTai(int64_t ns, TimeScale scale, const std::string& keyword) {
  switch (scale) {
    case TimeScale::kTai:
      return ns;
    case TimeScale::kTt:
      if (ns < INT64_MIN + kTtMinusTaiNs) return Status::InvalidArgument(keyword + " out of range");
      return ns - kTtMinusTaiNs;
    case TimeScale::kUtc: {
      auto tai = engine::UtcToTai(ns);  // ERFA's leap seconds: data before 2017 too.
      if (!tai.ok()) return tai.status().WithContext(keyword);
      return *tai;
    }
  }
  return ns;
}

}  // namespace

Result<int64_t> HeaderTimeTai(const FitsHeader& header, const TimeSource& source,
                              const TimeScaleRule& rule) {
  STARLOG_ASSIGN_OR_RETURN(const FitsCard* card, Card(header, source.keyword));
  STARLOG_ASSIGN_OR_RETURN(TimeScale scale, ScaleOf(header, rule));
  int64_t ns = 0;
  if (!source.time_keyword.empty()) {
    STARLOG_ASSIGN_OR_RETURN(const FitsCard* time, Card(header, source.time_keyword));
    const std::string text = card->text.substr(0, 10) + "T" + time->text;
    auto parsed = codec::ParseIsoTime(text);
    if (!parsed.ok()) {
      return Status::InvalidArgument(source.keyword + "+" + source.time_keyword +
                                     " is not a date and time: '" + text + "'");
    }
    ns = *parsed;
  } else if (card->kind == FitsCard::Kind::kFloat || card->kind == FitsCard::Kind::kInt) {
    // A Modified Julian Date; int64 nanoseconds reach MJD -70000 to 140000.
    const double mjd = card->number;
    if (!(mjd > -70'000 && mjd < 140'000)) {
      return Status::InvalidArgument(source.keyword + " is not an MJD in range: " + card->text);
    }
    ns = std::llround((static_cast<long double>(mjd) - kUnixEpochMjd) * 86'400.0L * 1e9L);
  } else {
    const std::string& text = card->text;
    if (text.find_first_of("T ") == std::string::npos) {
      return Status::InvalidArgument(source.keyword + " is a date without a time: '" + text +
                                     "' (a rule names the time's keyword as " + source.keyword +
                                     "+KEY)");
    }
    auto parsed = codec::ParseIsoTime(text);
    if (!parsed.ok()) {
      return Status::InvalidArgument(source.keyword + " is not a time: '" + text + "'");
    }
    ns = *parsed;
  }
  return ToTai(ns, scale, source.keyword);
}

}  // namespace starlog::ingest
