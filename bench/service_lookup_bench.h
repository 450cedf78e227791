#pragma once

// A lookup through the repository's service: find-first of one data ID
// through a 10-deep chain, as a client on the service's Unix socket asks it,
// beside the same lookup on a local RegistryView (the raw baseline: what the
// round trip adds to).

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// Round-trip p50/p99 and lookups/s for 1 and 8 clients (a connection each),
// and for 1 and 8 threads on a local view; in a folder under "scratch". A
// few seconds.
void BenchServiceLookup(const std::string& scratch, bool quick, Report& report);

}  // namespace starlog::bench
