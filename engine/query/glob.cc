#include "starlog/engine/glob.h"

#include <string>

namespace starlog::engine {

namespace {

// Matches the set starting at pattern[p] (just after "[") against "c".
// Returns the index after "]", or npos if the set is unclosed.
size_t MatchSet(std::string_view pattern, size_t p, char c, bool* matched) {
  bool negate = false;
  if (p < pattern.size() && (pattern[p] == '!' || pattern[p] == '^')) {
    negate = true;
    ++p;
  }
  bool any = false;
  bool first = true;
  while (p < pattern.size() && (first || pattern[p] != ']')) {
    first = false;
    char lo = pattern[p];
    char hi = lo;
    if (p + 2 < pattern.size() && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
      hi = pattern[p + 2];
      p += 3;
    } else {
      ++p;
    }
    if (lo <= c && c <= hi) any = true;
  }
  if (p >= pattern.size()) return std::string_view::npos;
  *matched = any != negate;
  return p + 1;
}

}  // namespace

bool HasGlobCharacters(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

Status ValidateGlob(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '[') continue;
    bool matched = false;
    const size_t end = MatchSet(pattern, i + 1, 'a', &matched);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument("pattern '" + std::string(pattern) + "' has an unclosed '['");
    }
    i = end - 1;
  }
  return Status::OK();
}

namespace {

// The offset of the UTF-8 character after the one at "i" (names are valid
// UTF-8; a continuation byte is never where a character starts).
size_t NextCharacter(std::string_view name, size_t i) {
  ++i;
  while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) ++i;
  return i;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view name) {
  // Iterative matching with one backtrack point for the last "*": linear in
  // practice, never exponential.
  size_t p = 0, n = 0;
  size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size() && pattern[p] == '?') {  // One character, not one byte.
      ++p;
      n = NextCharacter(name, n);
      continue;
    }
    if (p < pattern.size() && pattern[p] == '[') {
      bool matched = false;
      const size_t end = MatchSet(pattern, p + 1, name[n], &matched);
      if (end == std::string_view::npos) return false;
      if (matched) {
        p = end;
        ++n;
        continue;
      }
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = star_n = NextCharacter(name, star_n);
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace starlog::engine
