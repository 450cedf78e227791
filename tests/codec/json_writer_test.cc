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

TEST_CASE("JsonWriter keeps valid UTF-8 and writes U+FFFD for bytes that are not",
          "[codec][json]") {
  JsonWriter j;
  j.String("caf\xC3\xA9 \xF0\x9F\x94\xAD|\xFF|\xC3(|\xED\xA0\x80|\xE2\x82");
  CHECK(j.str() ==
        "\"caf\xC3\xA9 \xF0\x9F\x94\xAD|\\ufffd|\\ufffd(|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"");
}

TEST_CASE("JsonWriter writes every ASCII character, alone or between runs of text",
          "[codec][json]") {
  for (int c = 0; c < 0x80; ++c) {
    std::string expected;
    switch (c) {
      case '"':
        expected = "\\\"";
        break;
      case '\\':
        expected = "\\\\";
        break;
      case '\n':
        expected = "\\n";
        break;
      case '\r':
        expected = "\\r";
        break;
      case '\t':
        expected = "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          expected = std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xf];
        } else {
          expected = std::string(1, static_cast<char>(c));
        }
    }
    const std::string one(1, static_cast<char>(c));
    INFO("character " << c);
    CHECK(starlog::codec::JsonEscape(one) == "\"" + expected + "\"");
    CHECK(starlog::codec::JsonEscape("ab" + one + "cd" + one) ==
          "\"ab" + expected + "cd" + expected + "\"");
    std::string appended = "x";
    starlog::codec::AppendJsonString(&appended, one + "z");
    CHECK(appended == "x\"" + expected + "z\"");
  }
  CHECK(starlog::codec::JsonEscape("") == "\"\"");
}

TEST_CASE("A cleared writer begins a new document", "[codec][json]") {
  JsonWriter j;
  j.BeginArray().BeginObject().Key("a").Int(1);  // Left open, as a row cut short.
  j.Clear();
  j.BeginObject().Key("b").String("x").EndObject();
  CHECK(j.str() == R"({"b":"x"})");
  j.Clear();
  j.BeginObject().EndObject();
  CHECK(j.str() == "{}");
}
