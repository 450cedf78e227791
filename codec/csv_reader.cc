#include "starlog/codec/csv_reader.h"

#include <set>

#include "starlog/codec/text.h"

namespace starlog::codec {

Result<CsvTable> ParseCsv(std::string_view input) {
  STARLOG_ASSIGN_OR_RETURN(const std::string_view text, DocumentText(input, "CSV"));
  CsvTable table;
  size_t pos = 0;
  size_t line = 0;
  bool have_header = false;
  while (pos < text.size()) {
    ++line;
    const size_t row_line = line;
    // Skip blank and comment lines.
    if (text[pos] == '\n' || text[pos] == '#' ||
        (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n')) {
      const size_t nl = text.find('\n', pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      continue;
    }
    std::vector<std::string> fields(1);
    bool in_quotes = false;
    bool ended = false;
    while (pos < text.size() && !ended) {
      const char c = text[pos++];
      if (in_quotes) {
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            fields.back().push_back('"');
            ++pos;
          } else {
            in_quotes = false;
          }
        } else {
          if (c == '\n') ++line;
          fields.back().push_back(c);
        }
        continue;
      }
      switch (c) {
        case '"':
          in_quotes = true;
          break;
        case ',':
          fields.emplace_back();
          break;
        case '\r':
          if (pos < text.size() && text[pos] == '\n') break;
          fields.back().push_back(c);
          break;
        case '\n':
          ended = true;
          break;
        default:
          fields.back().push_back(c);
      }
    }
    if (in_quotes) {
      return Status::InvalidArgument("CSV line " + std::to_string(row_line) +
                                     ": a quoted field is not closed");
    }
    if (!have_header) {
      std::set<std::string> seen;
      for (auto& f : fields) {
        while (!f.empty() && f.back() == ' ') f.pop_back();
        while (!f.empty() && f.front() == ' ') f.erase(f.begin());
        if (f.empty() || !seen.insert(f).second) {
          return Status::InvalidArgument("CSV header: empty or repeated column name '" + f + "'");
        }
      }
      table.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != table.header.size()) {
      return Status::InvalidArgument("CSV line " + std::to_string(row_line) + " has " +
                                     std::to_string(fields.size()) + " fields; the header has " +
                                     std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(fields));
  }
  if (!have_header) return Status::InvalidArgument("CSV input has no header row");
  return table;
}

}  // namespace starlog::codec
