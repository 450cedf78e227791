#include "starlog/codec/numbers.h"

#include <charconv>
#include <system_error>

namespace starlog::codec {

namespace {

// What strtoll skips first: the "C" locale's isspace set.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Drops what kLikeStrtoll allows before the digits. A '+' may not be followed
// by a '-', which from_chars would otherwise take as the sign.
bool StripLenientPrefix(std::string_view* text) {
  while (!text->empty() && IsCSpace(text->front())) text->remove_prefix(1);
  if (!text->empty() && text->front() == '+') {
    text->remove_prefix(1);
    if (!text->empty() && text->front() == '-') return false;
  }
  return true;
}

template <typename T>
std::optional<T> ParseWhole(std::string_view text, IntSyntax syntax) {
  if (syntax == IntSyntax::kLikeStrtoll && !StripLenientPrefix(&text)) return std::nullopt;
  if (text.empty()) return std::nullopt;
  T value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<int64_t> ParseInt(std::string_view text, IntSyntax syntax) {
  return ParseWhole<int64_t>(text, syntax);
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  // from_chars takes no sign for an unsigned type, so "-1" fails rather than wrapping.
  return ParseWhole<uint64_t>(text, IntSyntax::kStrict);
}

}  // namespace starlog::codec
