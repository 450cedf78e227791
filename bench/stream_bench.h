#pragma once

// query-datasets as a user runs it (issue 19, items 2 and 3): the first row
// and the rows per second of `starlog query-datasets --json` of 100,000 rows
// (a process, its output read from a pipe) beside a raw RocksDB iteration
// over the same keys; and a query narrowed by "exposure = 7" beside the
// whole query.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// In a folder under "scratch"; "cli" is the starlog binary. 10,000 rows with
// "quick". A few seconds. With "keep" the repository stays ("scratch"/stream),
// to profile the commands on it.
void BenchQueryStream(const std::string& scratch, const std::string& cli, bool quick, bool keep,
                      Report& report);

}  // namespace starlog::bench
