#pragma once

// XXH3 hashes. XXH3-64 checksums frames; XXH3-128 chains the log, fingerprints
// files and builds the state digest. XXH3 detects accidental corruption; it is
// not a defence against forgery (authenticity comes from the replication
// channel).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "starlog/result.h"

namespace starlog::codec {

// A 128-bit hash value. On disk and wire: 16 bytes, low half first, each
// half little-endian.
struct Hash128 {
  uint64_t low = 0;
  uint64_t high = 0;

  friend bool operator==(const Hash128&, const Hash128&) = default;

  // Lower-case hexadecimal, high half first (as XXH3 tools print it).
  std::string ToHex() const;
  static Result<Hash128> FromHex(std::string_view hex);

  void AppendTo(std::string* dst) const;
  // REQUIRES: "p" points at 16 readable bytes.
  static Hash128 Decode(const char* p);

  // Addition and subtraction modulo 2^128: the state digest is a sum of entry
  // hashes, so it does not depend on the order entries were added in.
  Hash128 operator+(const Hash128& other) const;
  Hash128 operator-(const Hash128& other) const;
};

inline constexpr size_t kHash128Size = 16;

uint64_t Xxh3_64(std::string_view data);
Hash128 Xxh3_128(std::string_view data);

// Streaming XXH3-64. Not thread-safe.
class Xxh3 {
 public:
  Xxh3();
  ~Xxh3();
  Xxh3(const Xxh3&) = delete;
  Xxh3& operator=(const Xxh3&) = delete;

  void Update(std::string_view data);
  uint64_t Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Streaming XXH3-128, for files. Not thread-safe.
class Xxh3Wide {
 public:
  Xxh3Wide();
  ~Xxh3Wide();
  Xxh3Wide(const Xxh3Wide&) = delete;
  Xxh3Wide& operator=(const Xxh3Wide&) = delete;

  void Update(std::string_view data);
  Hash128 Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace starlog::codec
