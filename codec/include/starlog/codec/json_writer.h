#pragma once

// A small streaming JSON writer for machine output (`--json`) and bundles.
// Produces compact, valid JSON; strings are escaped per RFC 8259. Not
// thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace starlog::codec {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next value's key.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();

  const std::string& str() const { return out_; }
  // Empties the writer for the next document, keeping its buffer: a writer
  // reused row after row allocates once.
  void Clear() {
    out_.clear();
    first_.clear();
    after_key_ = false;
  }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_;  // Per open container: no element written yet.
  bool after_key_ = false;
};

// "s" as a JSON string literal: quotes, backslashes and control characters
// escaped; a byte that begins no valid UTF-8 sequence written as U+FFFD, so
// the result is valid JSON whatever "s" holds.
std::string JsonEscape(std::string_view s);
// JsonEscape(s) appended to "out". REQUIRES: "s" does not view "out".
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace starlog::codec
