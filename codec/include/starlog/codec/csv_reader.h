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

// A UTF-8 byte order mark at the start is skipped. Returns InvalidArgument
// naming the line of a row whose field count differs from the header's, an
// unterminated quote, or a duplicate column; the line and byte offset (in
// "text", the mark counted) of bytes that are not valid UTF-8.
Result<CsvTable> ParseCsv(std::string_view text);

}  // namespace starlog::codec
