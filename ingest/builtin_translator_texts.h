#pragma once

// The texts of ingest/instruments/*.cfg, compiled in: generated at build time
// into builtin_translator_texts.cc (see ingest/CMakeLists.txt).

#include <string_view>
#include <vector>

namespace starlog::ingest::internal {

struct BuiltinTranslatorText {
  std::string_view instrument;  // As the translator's "instrument" line names it.
  std::string_view file;        // Its file in ingest/instruments/.
  std::string_view text;
};

// In the order they are tried.
const std::vector<BuiltinTranslatorText>& BuiltinTranslatorTexts();

}  // namespace starlog::ingest::internal
