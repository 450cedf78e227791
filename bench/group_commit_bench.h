#pragma once

// Group commit: durable writes from many concurrent writers of one store
// (as the service's clients are), against one writer at a time, and against
// raw RocksDB making each write durable on its own.

#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "starlog/engine/event_store.h"

namespace starlog::bench {

// Data IDs a writer's RUN can take, one registration each.
inline constexpr int64_t kDetectors = 4096;

// A synced repository at "dir" with what the writers' edits need: a camera
// with kDetectors detectors, the dataset type "flat" over them, and RUNs
// "run0".."run<writers-1>".
std::unique_ptr<engine::EventStore> PrepareWriters(const std::string& dir, int writers);

// Durable events/s and acknowledgement latency for 1, 8, 64 and 189
// concurrent writers, half of them registering a dataset in their own RUN
// and half prepending to one shared chain: in this process, and through the
// service's Unix socket (a connection each), with the socket's round trip;
// in folders under "scratch".
void BenchGroupCommit(const std::string& scratch, bool quick, Report& report);

}  // namespace starlog::bench
