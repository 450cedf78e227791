// The CLI on a full disk and on a repository whose log lost acknowledged
// events: clear errors, exit 1, nothing changed, and a way back.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;
using starlog::testutil::TempDir;
namespace fs = std::filesystem;

namespace {

uint64_t HeadOf(const std::string& repo) {
  auto store = starlog::engine::EventStore::Open(repo, starlog::engine::StoreOptions());
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return (*store)->head().sequence;
}

struct Limited {
  int status = 0;      // Raw wait status.
  std::string output;  // stdout and stderr.
};

// Runs the real binary as another process under a file size limit (a full
// disk, as far as its writes go).
Limited RunLimited(uint64_t max_file_bytes, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {STARLOG_LIMITED_EXEC, "--fsize", std::to_string(max_file_bytes),
                                   "--stderr-to-stdout", "--",      STARLOG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  starlog::testutil::ChildProcess child(argv);
  Limited result;
  while (auto line = child.ReadLine(std::chrono::seconds(30))) result.output += *line + "\n";
  result.status = child.Wait();
  return result;
}

}  // namespace

TEST_CASE("A full disk fails a write with exit 1 and leaves the repository intact and writable",
          "[cli][reliability]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "run/a"}).exit_code == 0);
  const uint64_t before = HeadOf(repo);
  // Room to open (the options file is under 100 kB), not for this event: three
  // records of 60 kB each (a value may hold 64 KiB).
  const std::string rows = dir.Sub("big.csv");
  {
    std::ofstream csv(rows);
    csv << "instrument,class_name\n";
    for (const char* name : {"A", "B", "C"}) csv << name << "," << std::string(60'000, 'x') << "\n";
  }
  const std::vector<std::string> big_write{"insert-dimension-records", repo, "instrument", rows};
  Limited full = RunLimited(100'000, big_write);
  INFO("wait status " << full.status << ": " << full.output);
  REQUIRE(WIFEXITED(full.status));  // Not SIGABRT.
  CHECK(WEXITSTATUS(full.status) == 1);
  CHECK(Contains(full.output, "out of disk space, nothing was written"));
  // No room at all: the open itself fails, as clearly.
  Limited none = RunLimited(0, {"create-collection", repo, "run/small"});
  INFO("wait status " << none.status << ": " << none.output);
  REQUIRE(WIFEXITED(none.status));
  CHECK(WEXITSTATUS(none.status) == 1);
  CHECK(Contains(none.output, "out of disk space"));
  CHECK(HeadOf(repo) == before);
  // Once there is room again, the same write succeeds.
  auto again = RunStarlog(big_write);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(HeadOf(repo) == before + 1);
  CHECK(RunStarlog({"digest", repo, "--recompute"}).exit_code == 0);
}

TEST_CASE("A log that lost acknowledged events is refused by every command until `repair`",
          "[cli][reliability]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(RunStarlog({"create-collection", repo, "run/" + std::to_string(i)}).exit_code == 0);
  }
  const uint64_t acked = HeadOf(repo);
  // The last command's event is in the newest write-ahead log, alone; damage it.
  fs::path newest;
  for (const auto& e : fs::directory_iterator(starlog::engine::RegistryPath(repo))) {
    if (e.path().extension() == ".log" && e.file_size() > 0 &&
        (newest.empty() || e.path().filename() > newest.filename())) {
      newest = e.path();
    }
  }
  REQUIRE(!newest.empty());
  {
    std::fstream f(newest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"info", repo}, {"log", repo}, {"create-collection", repo, "run/next"}}) {
    auto refused = RunStarlog(command);
    INFO(command[0] << ": " << refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(Contains(refused.err, "acknowledged events up to " + std::to_string(acked)));
    CHECK(Contains(refused.err, "starlog repair"));
  }
  auto repaired = RunStarlog({"repair", repo});
  INFO(repaired.err);
  REQUIRE(repaired.exit_code == 0);
  CHECK(Contains(repaired.out, "kept events 1 to " + std::to_string(acked - 1)));
  CHECK(Contains(repaired.out,
                 "dropped events " + std::to_string(acked) + " to " + std::to_string(acked)));
  auto next = RunStarlog({"create-collection", repo, "run/next"});
  INFO(next.err);
  REQUIRE(next.exit_code == 0);
  CHECK(HeadOf(repo) == acked);
  CHECK(RunStarlog({"digest", repo, "--recompute"}).exit_code == 0);
  CHECK(Contains(RunStarlog({"repair", "--help"}).out, "acknowledged"));
}

TEST_CASE("wait sees each of many registrations by CLI writers, flushing or not, within a second",
          "[cli][reliability][wait]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  auto run = [&](const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  };
  run({"create", repo, "--no-policy"});
  constexpr int kRounds = 12;
  {
    std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n";
    std::ofstream d(dir.Sub("d.csv"));
    d << "instrument,detector\n";
    for (int i = 1; i <= kRounds; ++i) d << "HSC," << i << "\n";
  }
  run({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
  run({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")});
  run({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"});
  run({"create-collection", repo, "run1"});
  for (int i = 1; i <= kRounds; ++i) {
    INFO("round " << i);
    starlog::testutil::ChildProcess waiter({STARLOG_BINARY, "wait", repo, "--dataset-type", "bias",
                                            "--data-id",
                                            "instrument=HSC,detector=" + std::to_string(i),
                                            "--collections", "run1", "--timeout", "20s"});
    // Time the wake-up, not the waiter's start (slow under the sanitizers).
    REQUIRE(waiter.WaitUntilWatching(std::chrono::seconds(20)));
    // A write in between, or not, so that the registration's close flushes
    // in some rounds and not in others.
    if (i % 3 != 0) run({"create-collection", repo, "other/" + std::to_string(i)});
    std::ofstream(dir.Sub("b.csv")) << "instrument,detector\nHSC," << i << "\n";
    run({"register-datasets", repo, "bias", "run1", dir.Sub("b.csv")});
    const auto registered = std::chrono::steady_clock::now();
    auto line = waiter.ReadLine(std::chrono::seconds(20));
    const double waited_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - registered)
            .count();
    const int status = waiter.Wait();
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(line.has_value());
    CHECK(waited_ms < 1000);
  }
}
