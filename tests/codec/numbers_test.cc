#include "starlog/codec/numbers.h"

#include <catch2/catch.hpp>
#include <limits>

namespace starlog::codec {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST_CASE("ParseInt reads the whole string as [-]digits", "[numbers]") {
  CHECK(ParseInt("0") == 0);
  CHECK(ParseInt("42") == 42);
  CHECK(ParseInt("-42") == -42);
  CHECK(ParseInt("007") == 7);
  CHECK(ParseInt("9223372036854775807") == kMax);
  CHECK(ParseInt("-9223372036854775808") == kMin);
}

TEST_CASE("ParseInt refuses empty text, a bare sign and trailing junk", "[numbers]") {
  CHECK_FALSE(ParseInt(""));
  CHECK_FALSE(ParseInt("-"));
  CHECK_FALSE(ParseInt("12x"));
  CHECK_FALSE(ParseInt("1.5"));
  CHECK_FALSE(ParseInt("1 "));
  CHECK_FALSE(ParseInt("0x10"));
}

TEST_CASE("ParseInt refuses '+' and white space unless asked to read like strtoll", "[numbers]") {
  CHECK_FALSE(ParseInt("+5"));
  CHECK_FALSE(ParseInt(" 5"));
  CHECK(ParseInt("+5", IntSyntax::kLikeStrtoll) == 5);
  CHECK(ParseInt(" \t-5", IntSyntax::kLikeStrtoll) == -5);
  CHECK_FALSE(ParseInt("+-5", IntSyntax::kLikeStrtoll));
  CHECK_FALSE(ParseInt("+", IntSyntax::kLikeStrtoll));
  CHECK_FALSE(ParseInt("  ", IntSyntax::kLikeStrtoll));
  CHECK_FALSE(ParseInt("5 ", IntSyntax::kLikeStrtoll));  // Only leading space, as strtoll.
}

TEST_CASE("ParseInt fails on overflow rather than clamping", "[numbers]") {
  CHECK_FALSE(ParseInt("9223372036854775808"));
  CHECK_FALSE(ParseInt("-9223372036854775809"));
  CHECK_FALSE(ParseInt("99999999999999999999", IntSyntax::kLikeStrtoll));
}

TEST_CASE("ParseUint takes digits only, up to 2^64 - 1", "[numbers]") {
  CHECK(ParseUint("0") == 0u);
  CHECK(ParseUint("18446744073709551615") == std::numeric_limits<uint64_t>::max());
  CHECK_FALSE(ParseUint("18446744073709551616"));
  CHECK_FALSE(ParseUint("-1"));
  CHECK_FALSE(ParseUint("+1"));
  CHECK_FALSE(ParseUint(""));
  CHECK_FALSE(ParseUint("1e3"));
}

}  // namespace
}  // namespace starlog::codec
