#pragma once

// The statements of starlog's small line-based config files (translators,
// access policies): "#" starts a comment, words are split on white space,
// blank lines are skipped; each statement keeps its line number for errors.

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace starlog::codec {

struct ConfigLine {
  int number = 0;
  std::vector<std::string> words;
};

inline std::vector<ConfigLine> ConfigLines(std::string_view text) {
  std::vector<ConfigLine> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    ConfigLine statement{number, {}};
    for (std::string w; words >> w;) statement.words.push_back(w);
    if (!statement.words.empty()) out.push_back(std::move(statement));
  }
  return out;
}

}  // namespace starlog::codec
