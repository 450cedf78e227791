#include "starlog/engine/names.h"

#include <cstdio>
#include <string>

#include "starlog/codec/text.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

using codec::Quoted;

namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  if (!(IsAlnum(s[0]) || s[0] == '_') || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '_') return false;
  }
  return true;
}

// The code point of the UTF-8 sequence at "s[i]" (valid: checked before),
// advancing "i" past it.
char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(*i);
  const int length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  char32_t cp = length == 1 ? b : b & (0x7F >> length);
  for (int k = 1; k < length; ++k) cp = (cp << 6) | (byte(*i + k) & 0x3F);
  *i += length;
  return cp;
}

// Whether a character past ASCII may be part of a name (the butler takes
// any text: "tésτ" is a run in its own tests): whatever shows, but not the
// characters that look like nothing or like a space, nor those that turn
// the text around (which would let two names look alike or hide a part).
bool IsVisibleNonAscii(char32_t c) {
  if (c < 0xA1 || c == 0xAD || c == 0x34F || c == 0x61C) return false;  // C1, NBSP, SHY, CGJ, ALM.
  if ((c >= 0x115F && c <= 0x1160) || (c >= 0x17B4 && c <= 0x17B5)) return false;  // Fillers.
  if (c >= 0x180B && c <= 0x180F) return false;  // Mongolian selectors and vowel separator.
  if (c >= 0x2000 && c <= 0x200F) return false;  // Spaces, zero widths, direction marks.
  if (c >= 0x2028 && c <= 0x202F) return false;  // Separators, embeddings, NNBSP.
  if (c >= 0x205F && c <= 0x206F) return false;  // MMSP, invisible operators, isolates.
  if (c == 0x3000 || c == 0x3164 || c == 0xFEFF || c == 0xFFA0) return false;
  if (c >= 0xFE00 && c <= 0xFE0F) return false;  // Variation selectors.
  if (c >= 0xFFF0 && c <= 0xFFFF) return false;  // Specials, noncharacters.
  if (c >= 0xE000 && c <= 0xF8FF) return false;  // Private use.
  if (c >= 0xE0000) return false;                // Tags, selectors, private use planes.
  return true;
}

}  // namespace

Status ValidateCollectionName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("collection name is empty");
  if (name.size() > kMaxCollectionNameLength) {
    return Status::InvalidArgument("collection name " + Quoted(name.substr(0, 40)) + "... is " +
                                   std::to_string(name.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxCollectionNameLength));
  }
  if (const size_t bad = codec::InvalidUtf8Offset(name); bad != std::string_view::npos) {
    return Status::InvalidArgument("collection name " + Quoted(name) +
                                   " is not valid UTF-8 at byte " + std::to_string(bad));
  }
  for (size_t i = 0; i < name.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(name, &i);
    if (c < 0x80 ? IsAlnum(static_cast<char>(c)) || c == '_' || c == '-' || c == '.' || c == '+' ||
                       c == '@' || c == ':' || c == '/'
                 : IsVisibleNonAscii(c)) {
      continue;
    }
    char hex[16];
    std::snprintf(hex, sizeof(hex), "U+%04X", static_cast<unsigned>(c));
    const std::string shown =
        (c >= 0x20 && c < 0x7f) ? std::string("'") + static_cast<char>(c) + "'" : hex;
    return Status::InvalidArgument("collection name " + Quoted(name) + " contains " + shown +
                                   " at byte " + std::to_string(at) +
                                   "; allowed are letters (of any script), digits and _-.+@:/");
  }
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    return Status::InvalidArgument("collection name " + Quoted(name) +
                                   " has an empty '/'-separated segment");
  }
  // A RUN's name is a folder in file templates ({run}): no segment may climb
  // or stand still, and the first may not be the registry's own folder.
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view segment = name.substr(start, slash - start);
    if (segment == "." || segment == "..") {
      return Status::InvalidArgument("collection name " + Quoted(name) + " has a " +
                                     Quoted(segment) + " segment");
    }
    if (start == 0 && segment == kPrivateFolder) {
      return Status::InvalidArgument("collection name " + Quoted(name) + " starts with " +
                                     Quoted(kPrivateFolder) +
                                     ", the registry's own folder in the repository");
    }
    start = slash + 1;
  }
  return Status::OK();
}

Status ValidateText(std::string_view what, std::string_view text, size_t max_length,
                    bool multiline) {
  if (text.size() > max_length) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(max_length));
  }
  // Shown in part: the text may be long, and escaped: it may be binary.
  const std::string shown = Quoted(text.substr(0, 60)) + (text.size() > 60 ? "..." : "");
  if (const size_t bad = codec::InvalidUtf8Offset(text); bad != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " " + shown +
                                   " is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 =
        c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    const bool allowed = multiline && (c == '\n' || c == '\t');
    if (((c < 0x20 || c == 0x7F) && !allowed) || c1) {
      return Status::InvalidArgument(std::string(what) + " " + shown +
                                     " has a control character at byte offset " +
                                     std::to_string(i));
    }
  }
  return Status::OK();
}

Status ValidateDatasetTypeName(std::string_view name) {
  if (name.size() > kMaxDatasetTypeNameLength) {
    return Status::InvalidArgument("dataset type name " + Quoted(name) + " is longer than " +
                                   std::to_string(kMaxDatasetTypeNameLength) + " bytes");
  }
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot - start);
    if (!IsIdentifier(part)) {
      return Status::InvalidArgument("dataset type name " + Quoted(name) +
                                     " is not of the form name[.component...] with identifiers");
    }
    if (dot == std::string_view::npos) return Status::OK();
    start = dot + 1;
  }
}

Status ValidateIdentifier(std::string_view what, std::string_view name) {
  if (!IsIdentifier(name)) {
    return Status::InvalidArgument(std::string(what) + " " + Quoted(name) +
                                   " is not an identifier (letters, digits, _)");
  }
  return Status::OK();
}

}  // namespace starlog::engine
