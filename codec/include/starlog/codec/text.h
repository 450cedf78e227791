#pragma once

// Text from outside (names, docs, record values, CSV and JSON cells, a peer's
// messages) is checked here before it is stored or printed: stored text is
// valid UTF-8, so every --json output is valid JSON, and what a terminal is
// shown cannot carry escape sequences.

#include <cstddef>
#include <string>
#include <string_view>

#include "starlog/result.h"

namespace starlog::codec {

// The byte offset of the first byte of "text" that does not begin a valid
// UTF-8 sequence (overlong forms, surrogates and code points past U+10FFFF
// are invalid), or std::string_view::npos if all of it is valid.
size_t InvalidUtf8Offset(std::string_view text);

// "text" made safe to print on a terminal: control characters (C0, DEL, C1)
// and invalid UTF-8 become "\xNN" escapes, a backslash stays a backslash.
// For text a peer or a file sent, which is shown, never parsed again.
std::string Printable(std::string_view text);

// "text" in single quotes, Printable: how messages name a name or a value.
std::string Quoted(std::string_view text);

// The UTF-8 byte order mark, which some editors put at the start of a CSV
// or JSON file.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// "text" without a leading byte order mark.
inline std::string_view StripBom(std::string_view text) {
  return text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? text.substr(kUtf8Bom.size()) : text;
}

// A whole document read from a file ("CSV", "JSON" for "format"): without a
// leading byte order mark, and valid UTF-8 throughout, else InvalidArgument
// "<format> line L: not valid UTF-8 at byte offset O" (O counted in "input").
Result<std::string_view> DocumentText(std::string_view input, std::string_view format);

}  // namespace starlog::codec
