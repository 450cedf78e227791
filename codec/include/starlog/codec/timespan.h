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

}  // namespace starlog::codec
