// Fuzz target: a bundle's bundle.json (ingest/bundle_content.h), read and
// checked against the default universe, as import does before it looks at
// a repository or a file.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/bundle_content.h"
#include "starlog/engine/universe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static_cast<void>(
      starlog::ingest::internal::ParseBundle(text, starlog::engine::Universe::Default()));
  return 0;
}
