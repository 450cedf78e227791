#pragma once

// Content digests (issue 20, item 5): what keeping them costs registration,
// beside the same registration without them in the same run, and how long
// `verify --content` takes between two repositories of different lineage
// (the same datasets registered in another order) when one dataset differs.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// "datasets" raws in batches of 1,000 over 10 runs, in folders under "scratch".
void BenchContent(const std::string& scratch, int datasets, Report& report);

}  // namespace starlog::bench
