// Fuzz target: JSON input files (records, datasets). Nesting is capped, so
// hostile input cannot exhaust the stack.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "starlog/codec/json_reader.h"
#include "starlog/ingest/text_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static_cast<void>(starlog::codec::ParseJson(text));
  static_cast<void>(starlog::ingest::ReadTextRows(text, /*json=*/true));
  return 0;
}
