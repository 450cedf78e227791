// Fuzz target: dimension universe config files (`starlog create --universe`).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/engine/universe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 14) return 0;
  auto universe =
      starlog::engine::Universe::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!universe.ok()) return 0;
  for (const auto& element : universe->elements()) {
    // Every element's dependencies were defined before it: its keys resolve.
    auto keys = universe->RequiredKeys({element.name});
    if (!keys.ok()) std::abort();
    // A relation (key=none) is keyed by what it requires, never by itself.
    const bool self = std::find(keys->begin(), keys->end(), element.name) != keys->end();
    if (self == element.join) std::abort();
    // Data-ID order keeps every dimension key it is given, once.
    if (universe->DataIdKeyOrder(*keys).size() != keys->size()) std::abort();
  }
  return 0;
}
