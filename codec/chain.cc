#include "starlog/codec/chain.h"

#include <string>

namespace starlog::codec {

Hash128 NextChainHash(const Hash128& previous, std::string_view frame) {
  // Streamed rather than concatenated: frames reach 16 MiB.
  std::string prefix;
  previous.AppendTo(&prefix);
  Xxh3Wide h;
  h.Update(prefix);
  h.Update(frame);
  return h.Digest();
}

}  // namespace starlog::codec
