#pragma once

// Aligned text tables for people (`--json` is for scripts).

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace starlog::cli {

// The width of UTF-8 "text" on a terminal: one column per character, two for
// East Asian wide and fullwidth ones, none for combining marks. Bytes that are
// not UTF-8 count one each.
size_t DisplayWidth(std::string_view text);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  // Columns padded to their widest cell (in display columns, DisplayWidth),
  // a dashed rule under the headers.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace starlog::cli
