// Fuzz target: CSV input files. Every row that parses has the header's width.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/codec/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  auto table =
      starlog::codec::ParseCsv(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!table.ok()) return 0;
  for (const auto& row : table->rows) {
    if (row.size() != table->header.size()) std::abort();
  }
  return 0;
}
