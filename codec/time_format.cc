#include "starlog/codec/time_format.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace starlog::codec {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// algorithm), and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ReadDigits(std::string_view s, size_t* pos, size_t n, int64_t* out) {
  if (*pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::string FormatIsoTime(int64_t ns, int fraction_digits) {
  constexpr int64_t kNsPerDay = 86'400'000'000'000;
  int64_t days = ns / kNsPerDay;
  int64_t rem = ns % kNsPerDay;
  if (rem < 0) {
    rem += kNsPerDay;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t secs = rem / 1'000'000'000;
  int64_t frac = rem % 1'000'000'000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf);
  if (fraction_digits > 0) {
    std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
    out.append(buf, 1 + static_cast<size_t>(std::min(fraction_digits, 9)));
  } else if (fraction_digits < 0 && frac != 0) {
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    std::snprintf(buf, sizeof(buf), ".%0*lld", digits, static_cast<long long>(frac));
    out += buf;
  }
  return out;
}

Result<int64_t> ParseIsoTime(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("not a time: '" + std::string(text) +
                                   "' (expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z])");
  };
  std::string_view s = text;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.remove_suffix(1);
  size_t pos = 0;
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac_ns = 0;
  if (!ReadDigits(s, &pos, 4, &y) || !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &mo) ||
      !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &d)) {
    return bad();
  }
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return bad();
    ++pos;
    if (!ReadDigits(s, &pos, 2, &h) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &mi)) {
      return bad();
    }
    if (pos < s.size()) {
      if (!Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &sec)) return bad();
      if (pos < s.size()) {
        if (!Expect(s, &pos, '.')) return bad();
        int64_t scale = 100'000'000;
        size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 9) frac_ns += (s[pos] - '0') * scale;
          scale /= 10;
          ++digits;
          ++pos;
        }
        if (digits == 0) return bad();
      }
    }
  }
  if (pos != s.size()) return bad();
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // int64 nanoseconds reach from 1677-09-21 to 2262-04-11.
  if (y < 1678 || y > 2261) {
    return Status::InvalidArgument("time '" + std::string(text) +
                                   "' is outside the years 1678 to 2261");
  }
  // February 29 only in a leap year: 2019-02-29 is no day.
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDaysIn[mo - 1] || (mo == 2 && d == 29 && !leap) ||
      h > 23 || mi > 59 || sec > 60) {
    return bad();
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60'000'000'000 + sec * 1'000'000'000 + frac_ns;
}

int64_t NowUtcNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace starlog::codec
