// Fuzz target: --where clauses. Parsing must never crash, and every parsed
// term must print.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "starlog/engine/where.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  auto where = starlog::engine::WhereClause::Parse(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!where.ok()) return 0;
  for (const auto& term : where->terms) {
    static_cast<void>(term.ToString());
    for (const auto& v : term.values) static_cast<void>(term.Matches(v));
  }
  return 0;
}
