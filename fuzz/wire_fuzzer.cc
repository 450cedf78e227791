// Fuzz target: replication wire messages, as a peer (or anyone on the
// network) may send them. Reading must never crash nor allocate by a lying
// count, and whatever reads must re-encode to the same message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/replication/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    auto message = starlog::replication::ReadMessage(&input);
    if (!message.ok()) break;
    std::string again;
    if (!starlog::replication::AppendMessage(*message, &again).ok()) std::abort();
    std::string_view back(again);
    auto reread = starlog::replication::ReadMessage(&back);
    if (!reread.ok() || !(*reread == *message) || !back.empty()) std::abort();
  }
  return 0;
}
