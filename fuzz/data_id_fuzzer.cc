// Fuzz target: data IDs as users type them ("instrument=HSC,detector=50"),
// typed by the default universe; whatever parses must encode canonically and
// decode to the same value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/engine/universe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& universe = starlog::engine::Universe::Default();
  auto fields = universe.ParseFields(text);
  if (!fields.ok()) return 0;
  const std::string bytes = starlog::engine::EncodeDataId(*fields);
  auto back = starlog::engine::DecodeDataId(bytes);
  if (!back.ok() || !(*back == *fields)) std::abort();
  std::vector<std::string> dims;
  for (const auto& [key, value] : *fields) dims.push_back(key);
  if (auto keys = universe.RequiredKeys(dims); keys.ok()) {
    static_cast<void>(universe.ValidateDataId(*keys, *fields));
  }
  // As index keys hold it: the values of its own keys, decoded by those keys.
  auto values = starlog::engine::EncodeDataIdValues(*fields, dims);
  if (!values.ok()) std::abort();
  auto named = starlog::engine::DecodeDataIdValues(*values, dims);
  if (!named.ok() || !(*named == *fields)) std::abort();
  // Arbitrary bytes handed to the decoders must be refused or decoded, never crash.
  static_cast<void>(starlog::engine::DecodeDataId(text));
  static_cast<void>(starlog::engine::DecodeDataIdValues(text, dims));
  return 0;
}
