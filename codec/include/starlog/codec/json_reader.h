#pragma once

// A strict JSON reader (RFC 8259) for input files and bundles. Integers that
// fit in int64 are kept exactly; other numbers keep their text. Nesting is
// limited to kMaxJsonDepth, so hostile input cannot exhaust the stack.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/result.h"

namespace starlog::codec {

inline constexpr int kMaxJsonDepth = 64;

struct JsonValue {
  enum class Kind { kNull, kBool, kInt, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t integer = 0;
  std::string text;  // kString: the string; kNumber: the number as written.
  std::vector<JsonValue> array;
  // An object's members in document order: names[i] names values[i]. Two
  // vectors, because a vector of pairs would need JsonValue complete here.
  std::vector<std::string> names;
  std::vector<JsonValue> values;

  // The member named "key", or null.
  const JsonValue* Find(std::string_view key) const;
};

// A UTF-8 byte order mark at the start is skipped. Returns InvalidArgument
// naming the line and column of the first error, or the byte offset (in
// "text", the mark counted) of the first byte that is not valid UTF-8.
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace starlog::codec
