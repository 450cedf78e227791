#pragma once

// A 128-bit dataset identifier, RFC 4122/9562 layout.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "starlog/result.h"

namespace starlog::codec {

struct Uuid {
  std::array<uint8_t, 16> bytes{};

  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  bool IsNil() const;
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case.
  std::string ToString() const;
  // Accepts the canonical 36-character form, either case.
  static Result<Uuid> Parse(std::string_view text);

  // The 16 bytes as a string, for keys.
  std::string_view AsBytes() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  // REQUIRES: "p" points at 16 readable bytes.
  static Uuid FromBytes(const char* p);
};

// Fills "out" with "size" bytes from the operating system's random source
// (getrandom(2)), never from a seeded generator: ids drawn in processes
// started at the same moment, or in a forked child, must not repeat.
void FillRandom(void* out, size_t size);

// A random UUID v4 (repository ids).
Uuid RandomUuidV4();

}  // namespace starlog::codec
