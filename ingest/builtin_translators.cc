#include "starlog/ingest/builtin_translators.h"

#include <algorithm>

#include "ingest/builtin_translator_texts.h"

namespace starlog::ingest {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::vector<std::string> BuiltinInstruments() {
  std::vector<std::string> names;
  for (const auto& b : internal::BuiltinTranslatorTexts()) names.emplace_back(b.instrument);
  return names;
}

Result<std::string> BuiltinTranslatorText(const std::string& instrument) {
  std::string known;
  for (const auto& b : internal::BuiltinTranslatorTexts()) {
    if (Lower(std::string(b.instrument)) == Lower(instrument)) return std::string(b.text);
    known += (known.empty() ? "" : ", ") + std::string(b.instrument);
  }
  return Status::NotFound("no built-in translator for '" + instrument + "' (there are " + known +
                          ")");
}

Result<Translator> BuiltinTranslator(const std::string& instrument) {
  STARLOG_ASSIGN_OR_RETURN(std::string text, BuiltinTranslatorText(instrument));
  for (const auto& b : internal::BuiltinTranslatorTexts()) {
    if (Lower(std::string(b.instrument)) == Lower(instrument)) {
      return ParseTranslator(text, "built-in " + std::string(b.file));
    }
  }
  return Status::NotFound(instrument);
}

Result<std::vector<Translator>> BuiltinTranslators() {
  std::vector<Translator> out;
  for (const auto& b : internal::BuiltinTranslatorTexts()) {
    STARLOG_ASSIGN_OR_RETURN(Translator t,
                             ParseTranslator(b.text, "built-in " + std::string(b.file)));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace starlog::ingest
