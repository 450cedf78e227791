#pragma once

// Aligned text tables for people (`--json` is for scripts).

#include <ostream>
#include <string>
#include <vector>

namespace starlog::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  // Columns padded to their widest cell, a dashed rule under the headers.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace starlog::cli
