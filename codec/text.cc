#include "starlog/codec/text.h"

#include <cstdint>

namespace starlog::codec {

namespace {

// The length of the valid UTF-8 sequence at the front of "text", 0 if none.
size_t SequenceLength(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t code;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;  // A continuation byte, an overlong two-byte lead, or past U+10FFFF.
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) return 0;
  if (length == 4 && (code < 0x10000 || code > 0x10FFFF)) return 0;
  return length;
}

}  // namespace

size_t InvalidUtf8Offset(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = SequenceLength(text.substr(i));
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string Printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = SequenceLength(text.substr(i));
    const auto c = static_cast<uint8_t>(text[i]);
    // C1 controls (U+0080..U+009F) are two bytes: 0xC2 0x80..0x9F.
    const bool c1 = n == 2 && c == 0xC2 && static_cast<uint8_t>(text[i + 1]) < 0xA0;
    if (n == 0 || c < 0x20 || c == 0x7F || c1) {
      const size_t bad = n == 0 ? 1 : n;
      for (size_t k = 0; k < bad; ++k) {
        const auto b = static_cast<uint8_t>(text[i + k]);
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
      }
      i += bad;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

Result<std::string_view> DocumentText(std::string_view input, std::string_view format) {
  // A byte order mark would otherwise become part of the first name read.
  const std::string_view text = StripBom(input);
  const size_t bad = InvalidUtf8Offset(text);
  if (bad == std::string_view::npos) return text;
  size_t line = 1;
  for (size_t i = 0; i < bad; ++i) line += text[i] == '\n' ? 1 : 0;
  return Status::InvalidArgument(std::string(format) + " line " + std::to_string(line) +
                                 ": not valid UTF-8 at byte offset " +
                                 std::to_string(bad + input.size() - text.size()));
}

std::string Quoted(std::string_view text) { return "'" + Printable(text) + "'"; }

}  // namespace starlog::codec
