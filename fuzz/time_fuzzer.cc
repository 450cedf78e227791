// Fuzz target: times on the command line (--time, --begin-date, --as-of).
// Whatever parses must print and parse back to the same nanosecond.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/codec/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;
  auto ns =
      starlog::codec::ParseIsoTime(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!ns.ok()) return 0;
  auto back = starlog::codec::ParseIsoTime(starlog::codec::FormatIsoTime(*ns));
  if (!back.ok() || *back != *ns) std::abort();
  return 0;
}
