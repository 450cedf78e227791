#include "starlog/codec/csv_reader.h"

#include <catch2/catch.hpp>

using namespace starlog::codec;

TEST_CASE("ParseCsv skips a UTF-8 byte order mark", "[codec][csv]") {
  auto table = ParseCsv("\xEF\xBB\xBFinstrument,detector\nHSC,1\n");
  REQUIRE(table.ok());
  CHECK(table->header == std::vector<std::string>{"instrument", "detector"});
  CHECK(table->rows.size() == 1);
}

TEST_CASE("ParseCsv names the line and byte offset of invalid UTF-8", "[codec][csv]") {
  auto bad = ParseCsv("instrument,detector\nHSC,1\nHS\xC3,2\n");
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message() == "CSV line 3: not valid UTF-8 at byte offset 28");
  // Offsets count the byte order mark: they are offsets into the file.
  auto with_bom = ParseCsv("\xEF\xBB\xBFinstrument\n\xFF\n");
  CHECK(with_bom.status().message() == "CSV line 2: not valid UTF-8 at byte offset 14");
  CHECK(ParseCsv("name\ncaf\xC3\xA9\n").ok());
}
