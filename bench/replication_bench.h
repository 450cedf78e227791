#pragma once

// Replication figures: catch-up over loopback TCP (against a local rebuild,
// the same apply path without the network), the lag of a following replica
// behind live appends, and file copying (against a plain local copy).

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_util.h"

namespace starlog::bench {

// The figures of one log replayed by a replica.
struct CatchUpInput {
  std::string repo;          // A closed repository.
  std::string label;         // What its log holds, for the figure's name.
  double local_rebuild = 0;  // Its rebuild, events/s: the same apply path, no network.
  uint64_t datasets = 0;     // Datasets it registers: reported per second when > 0.
  double registration = 0;   // The primary's registration rate, datasets/s: their baseline.
};

// Catch-up of each log in "logs" (metadata only), the lag of a following
// replica of the last one, and file copying (unless "catch_up_only"); in
// folders under "scratch".
void BenchReplication(const std::vector<CatchUpInput>& logs, const std::string& scratch,
                      Report& report, bool catch_up_only = false);

}  // namespace starlog::bench
