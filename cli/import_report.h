#pragma once

// How import and transfer say what they added (or, with --dry-run, would
// add): one summary line, then a line per kind, added and already there.

#include <string>

#include "cli/args.h"
#include "starlog/ingest/bundle.h"

namespace starlog::cli {

// "verb" is the command's ("import"), "done" its past tense ("imported").
void PrintImportReport(Io& io, const ingest::ImportReport& r, bool dry_run, const std::string& verb,
                       const std::string& done);

}  // namespace starlog::cli
