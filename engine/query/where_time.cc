// Time literals of where clauses, T'...', as the butler reads them.

#include "engine/query/where_time.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "starlog/codec/time_format.h"
#include "starlog/engine/time_scales.h"

namespace starlog::engine {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kNsPerDay = 86'400 * kNsPerSecond;
constexpr double kMjdUnixEpoch = 40587.0;  // MJD of 1970-01-01.

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
    // An aware datetime's isoformat() in UTC, which the butler's parser
    // takes by dropping the offset (its time literals are UTC already).
    if (body.ends_with("+00:00")) body.remove_suffix(6);
    auto parsed = codec::ParseIsoTime(body);
    if (!parsed.ok())
      return Status::InvalidArgument("an ISO time, not '" + std::string(body) + "'");
    ns = *parsed;
    if (scale.empty()) scale = "utc";
  }
  // TT - TAI is 32.184 s exactly; TAI - UTC comes from ERFA's table.
  int64_t shift = scale == "tt" ? -32'184'000'000 : 0;
  if (scale == "utc") {
    STARLOG_ASSIGN_OR_RETURN(shift, TaiMinusUtcNs(ns));
  }
  if ((shift > 0 && ns > std::numeric_limits<int64_t>::max() - shift) ||
      (shift < 0 && ns < std::numeric_limits<int64_t>::min() - shift)) {
    return Status::InvalidArgument("a time within the range of 64-bit nanoseconds");
  }
  return ns + shift;
}

}  // namespace starlog::engine
