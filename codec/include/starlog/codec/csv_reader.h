#pragma once

// CSV as RFC 4180 writes it: a header row, then records; fields separated by
// commas, optionally double-quoted ("" inside quotes is one quote); CRLF or
// LF line ends; blank lines and lines starting with "#" are skipped.

#include <string>
#include <string_view>
#include <vector>

#include "starlog/result.h"

namespace starlog::codec {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // Each as long as the header.
};

// Returns InvalidArgument naming the line of a row whose field count differs
// from the header's, an unterminated quote, or a duplicate column.
Result<CsvTable> ParseCsv(std::string_view text);

}  // namespace starlog::codec
