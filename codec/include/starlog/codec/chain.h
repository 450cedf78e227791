#pragma once

// The log is a hash chain: H(0) is all zeros and
//
//   H(n) = XXH3-128(H(n-1) || frame(n))
//
// with H(n-1) in its 16-byte encoding (Hash128::AppendTo). Two copies whose
// H(n) agree hold the same first n events, byte for byte.

#include <string_view>

#include "starlog/codec/hash.h"

namespace starlog::codec {

inline constexpr Hash128 kGenesisChainHash{};

Hash128 NextChainHash(const Hash128& previous, std::string_view frame);

}  // namespace starlog::codec
