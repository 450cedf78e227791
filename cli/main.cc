// The `starlog` binary: everything it does lives in the cli library.
#include <unistd.h>

#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  try {
    starlog::cli::Io io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1};
    return starlog::cli::RunCli(std::vector<std::string>(argv + 1, argv + argc), io);
  } catch (const std::exception& e) {
    std::cerr << "starlog: internal error: " << e.what() << "\n";
    return 1;
  }
}
