// Fuzz target: --where clauses. Parsing must never crash, a parsed clause
// must print as text that parses back to the same clause (with and without
// bind values substituted, times and timespans among them), and binding it to the default
// universe's dimensions must succeed or fail cleanly.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/query/registry_view_impl.h"
#include "starlog/engine/universe.h"
#include "starlog/engine/where.h"

namespace {

void CheckRoundTrip(std::string_view text, const starlog::engine::WhereBinds& binds) {
  auto where = starlog::engine::WhereClause::Parse(text, binds);
  if (!where.ok()) return;
  const std::string printed = where->ToString();
  auto again = starlog::engine::WhereClause::Parse(printed);
  if (!again.ok() || again->ToString() != printed) std::abort();
  const auto& universe = starlog::engine::Universe::Default();
  const std::vector<std::string> keys = {"detector", "exposure", "instrument"};
  auto bound = starlog::engine::BoundWhere::Bind(universe, *where, keys);
  if (bound.ok()) static_cast<void>(bound->FixedKeys());
  static_cast<void>(starlog::engine::BoundWhere::Bind(universe, *where, {"exposure", "instrument"},
                                                      universe.Find("exposure")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip(text, {});
  // Texts bound where a time or timespan is expected are read as one.
  CheckRoundTrip(text, {{"n", int64_t{7}},
                        {"s", std::string("HSC-R")},
                        {"q", std::string("it's")},
                        {"t", std::string("2013-06-17T13:30:00")},
                        {"ts", std::string("(T'2013-06-17', NULL)")}});
  return 0;
}
