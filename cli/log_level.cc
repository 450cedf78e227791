#include "cli/log_level.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "cli/args.h"

namespace starlog::cli {

Result<LogLevel> ParseLogLevel(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, LogLevel>, 7> kLevels = {{
      {"TRACE", LogLevel::kTrace},
      {"DEBUG", LogLevel::kDebug},
      {"VERBOSE", LogLevel::kVerbose},
      {"INFO", LogLevel::kInfo},
      {"WARNING", LogLevel::kWarning},
      {"ERROR", LogLevel::kError},
      {"CRITICAL", LogLevel::kCritical},
  }};
  std::string level(text.substr(text.find('=') == std::string_view::npos ? 0 : text.find('=') + 1));
  std::transform(level.begin(), level.end(), level.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  for (const auto& [name, value] : kLevels) {
    if (level == name) return value;
  }
  return UsageError(
      "--log-level takes [COMPONENT=]LEVEL, LEVEL one of CRITICAL, ERROR, "
      "WARNING, INFO, VERBOSE, DEBUG, TRACE; not '" +
      std::string(text) + "'");
}

}  // namespace starlog::cli
