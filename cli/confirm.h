#pragma once

// Asking before a removal, as the butler's CLI asks: only when a person is
// there to answer (stdin and stderr are terminals); scripts pass
// --no-confirm, and a pipe never answers yes by accident.

#include <string>

#include "cli/args.h"

namespace starlog::cli {

// Whether a person at the terminal could be asked.
bool CanAsk(const Io& io);

// Asks "question [y/N]" on the terminal; anything but y or yes declines.
bool Confirmed(Io& io, const std::string& question);

}  // namespace starlog::cli
