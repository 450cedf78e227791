#include "cli/progress.h"

namespace starlog::cli {

Progress::Progress(Io& io, std::string what, std::string unit)
    : io_(io), what_(std::move(what)), unit_(std::move(unit)) {}

Progress::~Progress() {
  if (drawn_) io_.err << "\n";
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!io_.terminal || !io_.Shows(LogLevel::kInfo)) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done != total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  io_.err << "\r" << what_ << ": " << done << "/" << total << " " << unit_;
  if (total > 0) io_.err << " (" << (100 * done / total) << "%)";
  io_.err << std::flush;
}

void Progress::Note(const std::string& line) {
  if (drawn_) {
    io_.err << "\r\x1b[K";  // Back to the line's start, and clear it.
    drawn_ = false;
    last_ = {};
  }
  io_.err << line << std::endl;
}

}  // namespace starlog::cli
