// Fuzz target: the butler's export.yaml (ingest/butler_yaml.h), read against
// the default universe and, when it reads, written and read again. yaml-cpp
// caps nesting itself; the reader counts the nodes it visits, so aliases
// cannot make a small file expensive.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "starlog/engine/universe.h"
#include "starlog/ingest/butler_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& universe = starlog::engine::Universe::Default();
  auto parsed = starlog::ingest::ParseButlerExport(text, universe);
  if (parsed.ok()) {
    const std::string written = starlog::ingest::WriteButlerExport(*parsed, universe);
    static_cast<void>(starlog::ingest::ParseButlerExport(written, universe));
  }
  return 0;
}
