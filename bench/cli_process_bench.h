#pragma once

// The baseline the service is measured against: the same edits as the group
// commit figures, each made by its own `starlog` process, as jobs run it
// today. Without a service each process waits for the write lock in turn;
// through the service they share its fsyncs.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// Durable events/s and per-process latency (spawn to exit) for 1, 8 and 64
// concurrent writers, each running `starlog` processes one after another,
// half registering a dataset in their own RUN and half prepending their RUN
// to one shared chain; "starlog" is the CLI binary. In folders under
// "scratch".
void BenchCliProcesses(const std::string& scratch, const std::string& starlog, bool quick,
                       Report& report);

// What one command costs a script that runs `starlog` processes one after
// another: register-datasets of a 1,000-row CSV (each into its own RUN,
// synced) and, after each, find-dataset of one of its data IDs, each spawn
// to exit, beside the floor of any process, `starlog --version`.
void BenchCliCommands(const std::string& scratch, const std::string& starlog, bool quick,
                      Report& report);

}  // namespace starlog::bench
