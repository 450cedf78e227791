#pragma once

// Base-10 integers read from text the user or a file wrote: the one place that
// knows what a well-formed integer is, so that every reader accepts the same.
//
// The whole of "text" must be the number: an optional '-' (ParseInt only), then
// one or more digits. A value out of range is a failure, never a clamp. Callers
// word their own error, since only they know what the number was for.

#include <cstdint>
#include <optional>
#include <string_view>

namespace starlog::codec {

enum class IntSyntax {
  kStrict,  // [-]digits and nothing else.
  // Also leading white space and a '+', as strtoll accepts: kept for the
  // readers (FITS values, translator rules, data IDs) that always took them.
  kLikeStrtoll,
};

std::optional<int64_t> ParseInt(std::string_view text, IntSyntax syntax = IntSyntax::kStrict);

// Digits and nothing else: no sign, no white space.
std::optional<uint64_t> ParseUint(std::string_view text);

}  // namespace starlog::codec
