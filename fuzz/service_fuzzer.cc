// Fuzz target: service requests (and replies), as any local user who may
// connect to the socket can send them, and any remote peer once its TLS
// handshake is done (the hello, with its token, before authentication).
// Decoding must never crash nor
// allocate by a lying count, and what decodes must encode to bytes that
// decode and encode to themselves.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "starlog/service/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace starlog::service;
  if (size > 1 << 20) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto message = DecodeMessage(input);
  if (!message.ok()) return 0;
  std::string once;
  if (!AppendMessage(*message, &once).ok()) std::abort();
  auto again = DecodeMessage(once);
  if (!again.ok()) std::abort();
  std::string twice;
  if (!AppendMessage(*again, &twice).ok() || twice != once) std::abort();
  return 0;
}
