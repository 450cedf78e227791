#pragma once

// A half-open validity range [begin, end) in TAI nanoseconds, as the Gen3
// butler stores calibration validity. Either end may be unbounded.

#include <cstdint>
#include <limits>
#include <string>

namespace starlog::codec {

inline constexpr int64_t kUnboundedBegin = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kUnboundedEnd = std::numeric_limits<int64_t>::max();

struct Timespan {
  int64_t begin = kUnboundedBegin;
  int64_t end = kUnboundedEnd;

  friend bool operator==(const Timespan&, const Timespan&) = default;

  bool IsEmpty() const { return begin >= end; }
  bool Contains(int64_t t) const { return begin <= t && t < end; }
  bool Overlaps(const Timespan& o) const { return begin < o.end && o.begin < end; }
};

// The range of times the butler represents (its TimeConverter): TAI
// nanoseconds from 1970-01-01 to 2100-01-01.
inline constexpr int64_t kButlerMinTaiNs = 0;
inline constexpr int64_t kButlerMaxTaiNs = 4'102'444'800'000'000'000;  // 2100-01-01 TAI.

// [begin, end) as the butler's Timespan makes it from the times a user
// gives: a bound outside the butler's range is clamped as its TimeConverter
// clamps it, to the edge, which the butler reads as unbounded (a begin at or
// before 1970-01-01 TAI is "since always", an end at or after 2100 "for
// ever"); an instant [t, t] is [t, t + 1 ns). The result may be empty
// (begin >= end), which callers refuse.
inline Timespan ButlerTimespan(int64_t begin, int64_t end) {
  Timespan span{begin, end};
  if (begin <= kButlerMinTaiNs) span.begin = kUnboundedBegin;
  if (begin >= kButlerMaxTaiNs) span.begin = kUnboundedEnd;  // Empty: nothing is that late.
  if (end >= kButlerMaxTaiNs) span.end = kUnboundedEnd;
  if (end <= kButlerMinTaiNs) span.end = kUnboundedBegin;  // Empty: nothing is that early.
  if (span.begin == span.end && span.begin != kUnboundedBegin && span.end != kUnboundedEnd) {
    span.end = span.begin + 1;
  }
  return span;
}

}  // namespace starlog::codec
