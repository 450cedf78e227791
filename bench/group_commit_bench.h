#pragma once

// Group commit: durable writes from many concurrent writers of one store
// (as the service's clients are), against one writer at a time, and against
// raw RocksDB making each write durable on its own.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// Durable events/s and acknowledgement latency for 1, 8, 64 and 189
// concurrent writers, half of them registering a dataset in their own RUN
// and half prepending to one shared chain: in this process, and through the
// service's Unix socket (a connection each), with the socket's round trip;
// in folders under "scratch".
void BenchGroupCommit(const std::string& scratch, bool quick, Report& report);

}  // namespace starlog::bench
