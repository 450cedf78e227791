#pragma once

// Byte work on a bundle's bundle.jsonl for tests: its text, its lines, and
// the same text signed again after a change.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/bundle_lines.h"
#include "starlog/codec/hash.h"

namespace starlog::testutil {

// The bytes of the file at "path".
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of "text" (each without its newline).
inline std::vector<std::string> BundleLines(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// "text" with its last line (the trailer) replaced by the trailer of the
// lines before it.
inline std::string Resign(const std::string& text) {
  std::vector<std::string> lines = BundleLines(text);
  lines.pop_back();
  std::string body;
  for (const std::string& line : lines) body += line + "\n";
  return body + ingest::internal::BundleTrailer(lines.size(), codec::Xxh3_128(body)) + "\n";
}

}  // namespace starlog::testutil
