#pragma once

// Work that must cost a seek, not a scan (issue 19, item 2): certify's
// overlap check, diff's reading of dimension records, and query-data-ids
// narrowed by an equality in --where (issue 17, item 1); each beside its
// baseline in the run.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// Certifications/s of 189 detectors x 50 and x 400 epochs (fewer with
// "quick"), the last tenth's rate against the first tenth's (flat in epochs),
// diff of 1k/2k/4k inserted records (linear), and query-data-ids narrowed to
// one of 10k exposures (2k with "quick"). In folders under "scratch".
void BenchSeeks(const std::string& scratch, bool quick, Report& report);

}  // namespace starlog::bench
