#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "starlog/engine/event_store.h"

namespace starlog::testutil {

struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Whether "haystack" contains "needle" (for checks of what a command printed).
inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs `starlog ARGS...` in this process and captures its output.
inline CliResult RunStarlog(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  cli::Io io{out, err, false};
  CliResult r;
  r.exit_code = cli::RunCli(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Runs `starlog ARGS...` and throws, with what it said, if it fails: for the
// set-up steps of a test.
inline CliResult MustRunStarlog(const std::vector<std::string>& args) {
  CliResult r = RunStarlog(args);
  if (r.exit_code != 0) {
    std::string line = "starlog";
    for (const std::string& a : args) line += " " + a;
    throw std::runtime_error(line + " failed: " + r.err);
  }
  return r;
}

// The repository most CLI tests start from: "<dir>/repo" without a policy,
// with instrument HSC and the detectors of "detectors_csv" (instrument,detector
// rows), which stays at "<dir>/d.csv" for registering a dataset per detector.
inline std::string CreateHscRepository(
    const std::string& dir, const std::string& detectors_csv = "instrument,detector\nHSC,1\n") {
  const std::string repo = dir + "/repo";
  MustRunStarlog({"create", repo, "--no-policy"});
  std::ofstream(dir + "/i.csv") << "instrument\nHSC\n";
  std::ofstream(dir + "/d.csv") << detectors_csv;
  MustRunStarlog({"insert-dimension-records", repo, "instrument", dir + "/i.csv"});
  MustRunStarlog({"insert-dimension-records", repo, "detector", dir + "/d.csv"});
  return repo;
}

// The log's length, read through the library: what a rejected command must
// leave unchanged.
inline uint64_t HeadOf(const std::string& repo) {
  engine::StoreOptions options;
  options.read_only = true;
  auto store = engine::EventStore::Open(repo, options);
  if (!store.ok())
    throw std::runtime_error("cannot open " + repo + ": " + store.status().ToString());
  return (*store)->head().sequence;
}

}  // namespace starlog::testutil
