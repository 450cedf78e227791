#include "starlog/codec/json_reader.h"

#include <cctype>

#include "starlog/codec/numbers.h"
#include "starlog/codec/text.h"

namespace starlog::codec {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<JsonValue> Document() {
    STARLOG_ASSIGN_OR_RETURN(JsonValue v, Value(0));
    Space();
    if (pos_ != s_.size()) return Error("end of input");
    return v;
  }

 private:
  Status Error(std::string_view expected) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Status::InvalidArgument("JSON: expected " + std::string(expected) + " at line " +
                                   std::to_string(line) + ", column " + std::to_string(column));
  }

  void Space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (s_.compare(pos_, word.size(), word) != 0) return false;
    pos_ += word.size();
    return true;
  }

  Result<JsonValue> Value(int depth) {
    if (depth > kMaxJsonDepth) return Error("less nesting");
    Space();
    if (pos_ >= s_.size()) return Error("a value");
    JsonValue v;
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      v.kind = JsonValue::Kind::kObject;
      Space();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return v;
      }
      while (true) {
        Space();
        if (pos_ >= s_.size() || s_[pos_] != '"') return Error("a member name");
        STARLOG_ASSIGN_OR_RETURN(std::string key, String());
        Space();
        if (pos_ >= s_.size() || s_[pos_] != ':') return Error("':'");
        ++pos_;
        STARLOG_ASSIGN_OR_RETURN(JsonValue member, Value(depth + 1));
        v.names.push_back(std::move(key));
        v.values.push_back(std::move(member));
        Space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          return v;
        }
        return Error("',' or '}'");
      }
    }
    if (c == '[') {
      ++pos_;
      v.kind = JsonValue::Kind::kArray;
      Space();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return v;
      }
      while (true) {
        STARLOG_ASSIGN_OR_RETURN(JsonValue item, Value(depth + 1));
        v.array.push_back(std::move(item));
        Space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          return v;
        }
        return Error("',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = JsonValue::Kind::kString;
      STARLOG_ASSIGN_OR_RETURN(v.text, String());
      return v;
    }
    if (Literal("true")) {
      v.kind = JsonValue::Kind::kBool;
      v.boolean = true;
      return v;
    }
    if (Literal("false")) {
      v.kind = JsonValue::Kind::kBool;
      return v;
    }
    if (Literal("null")) return v;
    return Number();
  }

  Result<JsonValue> Number() {
    const size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    const size_t digits = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == digits) return Error("a value");
    if (s_[digits] == '0' && pos_ - digits > 1) return Error("no leading zeros");
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      const size_t frac = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == frac) return Error("digits after '.'");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      const size_t exp = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == exp) return Error("exponent digits");
    }
    JsonValue v;
    v.text = std::string(s_.substr(start, pos_ - start));
    v.kind = JsonValue::Kind::kNumber;
    if (integral && v.text.size() <= 19) {  // Fits in int64 when at most 18 digits (+ sign).
      if (auto integer = ParseInt(v.text)) {
        v.integer = *integer;
        v.kind = JsonValue::Kind::kInt;
      }
    }
    return v;
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  Result<uint32_t> Hex4() {
    if (pos_ + 4 > s_.size()) return Error("four hexadecimal digits");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Error("a hexadecimal digit");
      }
    }
    return v;
  }

  Result<std::string> String() {
    ++pos_;  // The opening quote.
    std::string out;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return Error("no control characters in strings");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          STARLOG_ASSIGN_OR_RETURN(uint32_t cp, Hex4());
          if (cp >= 0xd800 && cp < 0xdc00) {
            if (!Literal("\\u")) return Error("a low surrogate");
            STARLOG_ASSIGN_OR_RETURN(uint32_t low, Hex4());
            if (low < 0xdc00 || low >= 0xe000) return Error("a low surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            return Error("a high surrogate first");
          }
          AppendUtf8(&out, cp);
          break;
        }
        default:
          return Error("a valid escape");
      }
    }
    return Error("a closing '\"'");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == key) return &values[i];
  }
  return nullptr;
}

Result<JsonValue> ParseJson(std::string_view input) {
  STARLOG_ASSIGN_OR_RETURN(const std::string_view text, DocumentText(input, "JSON"));
  return Parser(text).Document();
}

}  // namespace starlog::codec
