#include "starlog/codec/json_writer.h"

#include <catch2/catch.hpp>

using starlog::codec::JsonWriter;

TEST_CASE("JsonWriter separates members and nests containers", "[codec][json]") {
  JsonWriter j;
  j.BeginObject().Key("a").Int(-1).Key("b").BeginArray().String("x").Bool(true).Null().EndArray();
  j.Key("c").BeginObject().EndObject().EndObject();
  CHECK(j.str() == R"({"a":-1,"b":["x",true,null],"c":{}})");
}

TEST_CASE("JsonWriter escapes quotes, backslashes and control characters", "[codec][json]") {
  JsonWriter j;
  j.String(std::string("a\"b\\c\nd\x01", 8));
  CHECK(j.str() == R"("a\"b\\c\nd\u0001")");
}
