#pragma once

// The translator options that ingest and fsck --ingest-unregistered share:
// which translators, which RUN, corrections, --misc, --update-records.

#include <vector>

#include "cli/args.h"
#include "starlog/ingest/ingest.h"

namespace starlog::cli {

// --run, --translator, --instrument, --dataset-type, --corrections, --misc,
// --update-records, as CommandSpec options, followed by "more".
std::vector<OptionSpec> TranslatorOptionSpecs(std::vector<OptionSpec> more);

// The IngestOptions those options give (actor included; transfer and
// templates left to the caller). A usage error without --run.
Result<ingest::IngestOptions> TranslatorOptionsFromArgs(const ParsedArgs& args);

}  // namespace starlog::cli
