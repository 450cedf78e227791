// Followers and readers against a real writer process: a follower must see
// every commit soon after it is acknowledged, however the writer works, and a
// reader opening while the writer's files come and go must never report
// corruption that is not there.

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "starlog/engine/event_store.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using Clock = std::chrono::steady_clock;

namespace {

void CreateRepo(const std::string& root) {
  engine::CreateOptions options;
  options.store.sync = false;
  REQUIRE(engine::EventStore::Create(root, options).ok());
}

// Parses "wrote N"; 0 for any other line.
uint64_t WrittenSequence(const std::string& line) {
  if (line.rfind("wrote ", 0) != 0) return 0;
  return std::stoull(line.substr(6));
}

// Runs crash_writer with "args" (single paced writes) while a follower in
// this process waits for each; returns how long after its acknowledgement
// each write was seen, sorted.
std::vector<double> FollowLagsMs(const std::string& root, const std::vector<std::string>& args,
                                 int writes) {
  engine::StoreOptions follow;
  follow.follow = true;
  auto follower = engine::EventStore::Open(root, follow);
  REQUIRE(follower.ok());
  std::mutex mu;
  std::map<uint64_t, Clock::time_point> seen;
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    uint64_t at = (*follower)->head().sequence;
    while (!stop) {
      Status s = (*follower)->WaitForChange(at, Clock::now() + std::chrono::milliseconds(100));
      const auto now = Clock::now();
      const uint64_t head = (*follower)->head().sequence;
      std::lock_guard<std::mutex> lock(mu);
      for (uint64_t q = at + 1; q <= head; ++q) seen.emplace(q, now);
      at = head;
      if (!s.ok() && !s.IsTimedOut()) FAIL_CHECK(s.ToString());
    }
  });
  std::vector<std::string> argv = {STARLOG_CRASH_WRITER, root, "--count", std::to_string(writes)};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<uint64_t, Clock::time_point> acked;
  {
    testutil::ChildProcess writer(argv);
    REQUIRE(writer.ReadLine(std::chrono::seconds(20)) == std::optional<std::string>("ready"));
    while (auto line = writer.ReadLine(std::chrono::seconds(20))) {
      if (*line == "done") break;
      const uint64_t seq = WrittenSequence(*line);
      REQUIRE(seq != 0);
      acked.emplace(seq, Clock::now());
    }
    REQUIRE(WIFEXITED(writer.Wait()));
  }
  REQUIRE(acked.size() == static_cast<size_t>(writes));
  // Give a missed wake-up every chance to be made up for by a later one.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  watcher.join();
  std::vector<double> lags;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& [seq, at] : acked) {
    auto it = seen.find(seq);
    INFO("event " << seq << " was never seen by the follower");
    REQUIRE(it != seen.end());
    lags.push_back(std::chrono::duration<double, std::milli>(it->second - at).count());
  }
  std::sort(lags.begin(), lags.end());
  return lags;
}

// Runs FollowLagsMs on a new repository and checks its lags: a missed
// wake-up costs the poll's 1 s backstop (event_store_follow.cc), so every
// lag below that says the wake-ups came. Not a speed target (bench's
// "following replica" figure is): the bounds leave room for a loaded
// machine and the sanitizers (a p99 of 204 ms was seen at load 10).
void CheckFollowLags(const std::vector<std::string>& args, int writes) {
  testutil::TempDir dir;
  CreateRepo(dir.path());
  const auto lags = FollowLagsMs(dir.path(), args, writes);
  INFO("p50 " << lags[lags.size() / 2] << " ms, p99 " << lags[lags.size() * 99 / 100] << " ms, max "
              << lags.back() << " ms");
  CHECK(lags[lags.size() * 99 / 100] < 600);
  CHECK(lags.back() < 900);
}

}  // namespace

TEST_CASE("A follower sees every single write of a long-running writer within the lag target",
          "[engine][follow]") {
  CheckFollowLags({"--sync", "--pause-ms", "20"}, 100);
}

TEST_CASE("A follower sees a write that no other follows soon", "[engine][follow]") {
  // The writer stays idle after each write: nothing but the commit itself
  // may wake the follower (the issue: such a write came only with the next).
  testutil::TempDir dir;
  CreateRepo(dir.path());
  const auto lags = FollowLagsMs(dir.path(), {"--sync", "--pause-ms", "700"}, 3);
  INFO("max " << lags.back() << " ms");
  // Below the next write (700 ms on) and the 1 s backstop: the commit
  // itself woke the follower.
  CHECK(lags.back() < 400);
}

TEST_CASE("A follower sees every write of writers that open and close the repository each time",
          "[engine][follow]") {
  CheckFollowLags({"--sync", "--reopen", "--pause-ms", "2"}, 60);
}

TEST_CASE("A follower sees every write of a writer that flushes after each one",
          "[engine][follow]") {
  // A flush retires the log the follower replays from, maybe before it read
  // the last record: the follower must not keep the older head it replayed.
  CheckFollowLags({"--sync", "--churn", "--pause-ms", "20"}, 40);
}

TEST_CASE("Readers opening while the writer flushes and compacts never see false corruption",
          "[engine][follow]") {
  testutil::TempDir dir;
  CreateRepo(dir.path());
  testutil::ChildProcess writer({STARLOG_CRASH_WRITER, dir.path(), "--churn"});
  REQUIRE(writer.ReadLine(std::chrono::seconds(20)) == std::optional<std::string>("ready"));
  engine::StoreOptions read_only;
  read_only.read_only = true;
  int opens = 0;
  uint64_t last_head = 0;
  const auto until = Clock::now() + std::chrono::seconds(3);
  while (Clock::now() < until || opens < 20) {
    auto reader = engine::EventStore::Open(dir.path(), read_only);
    INFO("open " << opens << ": " << reader.status().ToString());
    REQUIRE(reader.ok());
    CHECK((*reader)->head().sequence >= last_head);
    last_head = (*reader)->head().sequence;
    REQUIRE((*reader)->Info().ok());
    ++opens;
  }
  writer.Kill(SIGKILL);
  writer.Wait();
  CHECK(last_head > 1);  // The writer made progress under the readers.
}

TEST_CASE("A follower whose open fails leaves no scratch folder and no open file behind",
          "[engine][follow]") {
  namespace fs = std::filesystem;
  testutil::TempDir dir;
  const std::string root = dir.Sub("repo");
  CreateRepo(root);
  const std::string scratch = dir.Sub("tmp");
  fs::create_directories(scratch);
  const char* had = std::getenv("TMPDIR");
  const std::optional<std::string> old_tmpdir =
      had != nullptr ? std::optional<std::string>(had) : std::nullopt;
  REQUIRE(setenv("TMPDIR", scratch.c_str(), 1) == 0);  // This test's own process.
  {
    engine::StoreOptions options;
    options.follow = true;
    auto follower = engine::EventStore::Open(root, options);
    REQUIRE(follower.ok());
    CHECK_FALSE(fs::is_empty(scratch));  // Its scratch folder is in $TMPDIR...
  }
  CHECK(fs::is_empty(scratch));  // ... and gone when it closes.
  // CURRENT names a MANIFEST that is not there: the open gets as far as
  // RocksDB, after the lock and the scratch folder, and fails there.
  std::ofstream(engine::RegistryPath(root) + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  const auto open_files = [] {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
  };
  const auto files_before = open_files();
  for (bool follow : {true, false}) {
    engine::StoreOptions options;
    options.follow = follow;
    options.read_only = !follow;
    auto reader = engine::EventStore::Open(root, options);
    INFO(reader.status().ToString());
    CHECK_FALSE(reader.ok());
  }
  if (old_tmpdir) {
    setenv("TMPDIR", old_tmpdir->c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  CHECK(fs::is_empty(scratch));
  CHECK(open_files() == files_before);
}
