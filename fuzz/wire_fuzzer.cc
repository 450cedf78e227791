// Fuzz target: replication wire messages, as a peer (or anyone on the
// network) may send them. Reading must never crash nor allocate by a lying
// count, and whatever reads must re-encode to the same message. The first
// byte picks how the bytes are read: bare, as before the handshake (at most
// a hello's size), or sealed under a fixed session key.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/replication/wire.h"

namespace {

constexpr std::string_view kTagKey = "a fixed session key for fuzzing";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace starlog::replication;
  if (size < 1 || size > 1 << 20) return 0;
  const uint8_t mode = data[0] % 3;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t max_size = mode == 1 ? kMaxHandshakeMessageSize : kMaxMessageSize;
  const std::string_view key = mode == 2 ? kTagKey : std::string_view();
  for (uint64_t counter = 0; !input.empty(); ++counter) {
    const size_t before = input.size();
    auto message = ReadChannelMessage(&input, max_size, key, counter);
    if (!message.ok()) {
      if (input.size() != before) std::abort();  // Nothing is consumed on failure.
      break;
    }
    std::string again;
    const starlog::Status written = key.empty()
                                        ? AppendMessage(*message, &again)
                                        : AppendSealedMessage(*message, key, counter, &again);
    if (!written.ok() || again.size() != before - input.size()) std::abort();
    std::string_view back(again);
    auto reread = ReadChannelMessage(&back, max_size, key, counter);
    if (!reread.ok() || !(*reread == *message) || !back.empty()) std::abort();
  }
  return 0;
}
