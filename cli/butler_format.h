#pragma once

// `import --format butler`: the butler's export folder read through
// ingest/butler_transfer.h. Apart from cmd_import.cc, whose bundle import
// is another matter.

#include "cli/args.h"
#include "starlog/ingest/transfer.h"

namespace starlog::cli {

// Imports the export in positional 1 into the repository in positional 0,
// with --skip-dimensions, --drop-unknown-fields, --no-files and --dry-run.
Status RunButlerImport(const ParsedArgs& args, Io& io, ingest::TransferMode transfer);

}  // namespace starlog::cli
