#include "starlog/codec/hash.h"

#include <xxhash.h>

#include "starlog/codec/coding.h"

namespace starlog::codec {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendHex64(std::string* out, uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out->push_back(kDigits[(v >> shift) & 0xf]);
}

}  // namespace

std::string Hash128::ToHex() const {
  std::string out;
  out.reserve(32);
  AppendHex64(&out, high);
  AppendHex64(&out, low);
  return out;
}

Result<Hash128> Hash128::FromHex(std::string_view hex) {
  if (hex.size() != 32) {
    return Status::InvalidArgument("a 128-bit hash is 32 hexadecimal digits, got " +
                                   std::to_string(hex.size()) + " characters");
  }
  Hash128 h;
  for (size_t i = 0; i < 32; ++i) {
    int d = HexValue(hex[i]);
    if (d < 0)
      return Status::InvalidArgument("not a hexadecimal digit in hash: " + std::string(hex));
    uint64_t& half = i < 16 ? h.high : h.low;
    half = (half << 4) | static_cast<uint64_t>(d);
  }
  return h;
}

void Hash128::AppendTo(std::string* dst) const {
  PutFixed64(dst, low);
  PutFixed64(dst, high);
}

Hash128 Hash128::Decode(const char* p) { return Hash128{DecodeFixed64(p), DecodeFixed64(p + 8)}; }

Hash128 Hash128::operator+(const Hash128& other) const {
  Hash128 r;
  r.low = low + other.low;
  r.high = high + other.high + (r.low < low ? 1 : 0);
  return r;
}

Hash128 Hash128::operator-(const Hash128& other) const {
  Hash128 r;
  r.low = low - other.low;
  r.high = high - other.high - (low < other.low ? 1 : 0);
  return r;
}

uint64_t Xxh3_64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

Hash128 Xxh3_128(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return Hash128{h.low64, h.high64};
}

struct Xxh3::State {
  XXH3_state_t* s = XXH3_createState();
};

Xxh3::Xxh3() : state_(std::make_unique<State>()) { XXH3_64bits_reset(state_->s); }
Xxh3::~Xxh3() { XXH3_freeState(state_->s); }
void Xxh3::Update(std::string_view data) {
  XXH3_64bits_update(state_->s, data.data(), data.size());
}
uint64_t Xxh3::Digest() const { return XXH3_64bits_digest(state_->s); }

struct Xxh3Wide::State {
  XXH3_state_t* s = XXH3_createState();
};

Xxh3Wide::Xxh3Wide() : state_(std::make_unique<State>()) { XXH3_128bits_reset(state_->s); }
Xxh3Wide::~Xxh3Wide() { XXH3_freeState(state_->s); }
void Xxh3Wide::Update(std::string_view data) {
  XXH3_128bits_update(state_->s, data.data(), data.size());
}
Hash128 Xxh3Wide::Digest() const {
  XXH128_hash_t h = XXH3_128bits_digest(state_->s);
  return Hash128{h.low64, h.high64};
}

}  // namespace starlog::codec
