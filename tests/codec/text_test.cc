#include "starlog/codec/text.h"

#include <catch2/catch.hpp>

namespace starlog::codec {
namespace {

TEST_CASE("InvalidUtf8Offset finds the first bad byte", "[text]") {
  CHECK(InvalidUtf8Offset("") == std::string_view::npos);
  CHECK(InvalidUtf8Offset("plain ascii") == std::string_view::npos);
  CHECK(InvalidUtf8Offset("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xAD") == std::string_view::npos);
  CHECK(InvalidUtf8Offset("ab\xFF") == 2);
  CHECK(InvalidUtf8Offset("ab\xC3") == 2);              // Truncated.
  CHECK(InvalidUtf8Offset("\xC0\xAF") == 0);            // Overlong '/'.
  CHECK(InvalidUtf8Offset("x\xE0\x80\xAF") == 1);       // Overlong, three bytes.
  CHECK(InvalidUtf8Offset("x\xED\xA0\x80") == 1);       // A surrogate.
  CHECK(InvalidUtf8Offset("xy\xF4\x90\x80\x80") == 2);  // Past U+10FFFF.
  CHECK(InvalidUtf8Offset("\x80") == 0);                // A lone continuation byte.
}

TEST_CASE("Printable escapes control characters and bad bytes, keeps the rest", "[text]") {
  CHECK(Printable("HSC/raw caf\xC3\xA9") == "HSC/raw caf\xC3\xA9");
  CHECK(Printable("\x1b[2Jgone") == "\\x1b[2Jgone");
  CHECK(Printable("a\nb\x7f") == "a\\x0ab\\x7f");
  CHECK(Printable("\xC2\x9B"
                  "31m") == "\\xc2\\x9b31m");  // C1 CSI.
  CHECK(Printable("bad\xFF") == "bad\\xff");
}

TEST_CASE("StripBom removes a leading byte order mark only", "[text]") {
  CHECK(StripBom("\xEF\xBB\xBFinstrument,name") == "instrument,name");
  CHECK(StripBom("instrument") == "instrument");
  CHECK(StripBom("a\xEF\xBB\xBF") == "a\xEF\xBB\xBF");
}

}  // namespace
}  // namespace starlog::codec
