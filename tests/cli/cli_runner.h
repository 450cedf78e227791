#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace starlog::testutil {

struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Whether "haystack" contains "needle" (for checks of what a command printed).
inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs `starlog ARGS...` in this process and captures its output.
inline CliResult RunStarlog(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  cli::Io io{out, err, false};
  CliResult r;
  r.exit_code = cli::RunCli(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace starlog::testutil
