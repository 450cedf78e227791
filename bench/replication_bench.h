#pragma once

// Replication figures: catch-up over loopback TCP (against a local rebuild,
// the same apply path without the network), the lag of a following replica
// behind live appends, and file copying (against a plain local copy).

#include <cstdint>
#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// "repo" is a closed repository with history; "scratch" a folder to use.
// "datasets" is how many the repository holds.
void BenchReplication(const std::string& repo, const std::string& scratch, double rebuild_rate,
                      uint64_t datasets, Report& report);

}  // namespace starlog::bench
