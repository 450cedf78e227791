#include "starlog/codec/json_reader.h"

#include <catch2/catch.hpp>

using namespace starlog::codec;

TEST_CASE("ParseJson skips a UTF-8 byte order mark", "[codec][json]") {
  auto doc = ParseJson("\xEF\xBB\xBF[{\"instrument\":\"HSC\"}]");
  REQUIRE(doc.ok());
  REQUIRE(doc->array.size() == 1);
  CHECK(doc->array[0].names == std::vector<std::string>{"instrument"});
}

TEST_CASE("ParseJson names the byte offset of invalid UTF-8", "[codec][json]") {
  auto bad = ParseJson("[\n{\"a\":\"x\xED\xA0\x80\"}]");  // An encoded surrogate.
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message() == "JSON line 2: not valid UTF-8 at byte offset 9");
  auto in_name = ParseJson("\xEF\xBB\xBF{\"\xC0\xAF\":1}");  // Overlong '/'.
  CHECK(in_name.status().message() == "JSON line 1: not valid UTF-8 at byte offset 5");
  CHECK(ParseJson("{\"a\":\"caf\xC3\xA9\"}").ok());
}
