// The `starlog` binary: everything it does lives in the cli library.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Output into a pipe or a file goes out in 64 KiB writes rather than
  // stdio's 4-8 KiB: `query-datasets --json` of 100,000 rows into a pipe
  // made 4,000 writes, each waking the reader. A terminal keeps its line
  // buffering; what must show at once is flushed where it is written.
  static char out_buffer[1 << 16];
  if (isatty(STDOUT_FILENO) != 1) setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  try {
    starlog::cli::Io io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1};
    return starlog::cli::RunCli(std::vector<std::string>(argv + 1, argv + argc), io);
  } catch (const std::exception& e) {
    std::cerr << "starlog: internal error: " << e.what() << "\n";
    return 1;
  }
}
