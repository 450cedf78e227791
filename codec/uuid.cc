#include "starlog/codec/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace starlog::codec {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

bool Uuid::IsNil() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::string Uuid::ToString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

Result<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) {
    return Status::InvalidArgument("not a UUID (expected 36 characters): '" + std::string(text) +
                                   "'");
  }
  Uuid u;
  size_t n = 0;
  for (size_t i = 0; i < 36; ++i) {
    if (IsDashPosition(i)) {
      if (text[i] != '-') return Status::InvalidArgument("not a UUID: '" + std::string(text) + "'");
      continue;
    }
    const int hi = HexDigit(text[i]);
    const int lo = i + 1 < 36 ? HexDigit(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a UUID: '" + std::string(text) + "'");
    u.bytes[n++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  return u;
}

Uuid Uuid::FromBytes(const char* p) {
  Uuid u;
  std::memcpy(u.bytes.data(), p, 16);
  return u;
}

void FillRandom(void* out, size_t size) {
  auto* p = static_cast<unsigned char*>(out);
  while (size > 0) {
    const ssize_t n = ::getrandom(p, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Only on a kernel without getrandom (before Linux 3.17): no id is
      // better than one that may repeat.
      std::abort();
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

Uuid RandomUuidV4() {
  Uuid u;
  FillRandom(u.bytes.data(), u.bytes.size());
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // Version 4.
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant.
  return u;
}

}  // namespace starlog::codec
