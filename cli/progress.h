#pragma once

// A progress line on a terminal ("rebuild: 51200/1000000 events (5%)"),
// redrawn in place at most ten times a second; silent when stderr is not a
// terminal, so logs and pipes stay clean.

#include <chrono>
#include <cstdint>
#include <string>

#include "cli/args.h"

namespace starlog::cli {

class Progress {
 public:
  Progress(Io& io, std::string what, std::string unit);
  ~Progress();  // Ends the line if one was drawn.
  void Update(uint64_t done, uint64_t total);
  // Prints "line" on a line of its own: a progress line drawn is cleared
  // first, and drawn again at the next update, so the two never run together.
  void Note(const std::string& line);

 private:
  Io& io_;
  std::string what_;
  std::string unit_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace starlog::cli
