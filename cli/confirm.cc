#include "cli/confirm.h"

#include <unistd.h>

#include <iostream>

namespace starlog::cli {

bool CanAsk(const Io& io) { return io.terminal && ::isatty(STDIN_FILENO) == 1; }

bool Confirmed(Io& io, const std::string& question) {
  io.err << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace starlog::cli
