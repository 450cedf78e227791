// Fuzz target: glob patterns against names (input: "pattern\nname"). Matching
// must never crash nor take more than linear-ish time, and a pattern without
// glob characters matches exactly itself.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/engine/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  const std::string_view name = nl == std::string_view::npos ? "" : input.substr(nl + 1);
  const bool valid = starlog::engine::ValidateGlob(pattern).ok();
  const bool match = starlog::engine::GlobMatch(pattern, name);
  if (valid && !starlog::engine::HasGlobCharacters(pattern) && match != (pattern == name)) {
    std::abort();
  }
  return 0;
}
