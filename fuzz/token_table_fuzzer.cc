// Fuzz target: the service's token table (<root>/.starlog/tokens), which the
// service reads at every TCP hello. Its file is private to the service's
// account, but a damaged or hand-edited one must never crash the service nor
// admit anyone: parsing must not crash, what parses must serialize to bytes
// that parse and serialize to themselves, and no token outside it may
// authenticate.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "starlog/service/user_tokens.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace starlog::service;
  if (size > kMaxTokenTableSize + 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto table = TokenTable::Parse(input);
  if (!table.ok()) return 0;
  const std::string once = table->Serialize();
  auto again = TokenTable::Parse(once);
  if (!again.ok() || again->Serialize() != once) std::abort();
  // The input itself is no token of the table's (a hash is not its token).
  if (table->Authenticate(input.substr(0, kMaxTokenLength))) std::abort();
  return 0;
}
