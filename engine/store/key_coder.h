#pragma once

// Order-preserving, prefix-free encoding of index keys, so that a key built of
// several components compares component by component and no encoded key is a
// prefix of another with a different first component. That is what lets a
// version suffix (the inverted sequence) follow a logical key unambiguously.
//
//   string := bytes with 0x00 written as 0x00 0xff, then 0x00 0x01
//   int64  := 8 bytes big-endian with the sign bit flipped
//   bytes  := fixed-width raw bytes (UUIDs), only as the last or a fixed-size part

#include <cstdint>
#include <string>
#include <string_view>

#include "starlog/result.h"

namespace starlog::engine {

class KeyWriter {
 public:
  KeyWriter& String(std::string_view s);
  KeyWriter& Int(int64_t v);
  KeyWriter& Uint(uint64_t v);
  KeyWriter& Raw(std::string_view bytes);
  const std::string& key() const { return key_; }
  std::string Take() { return std::move(key_); }

 private:
  std::string key_;
};

// Reads components back in the order they were written. Each call returns
// Corruption if the bytes do not hold the component asked for.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  Result<std::string> String();
  Result<int64_t> Int();
  Result<uint64_t> Uint();
  Result<std::string_view> Raw(size_t n);
  bool done() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace starlog::engine
