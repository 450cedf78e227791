// Output that streams: log and query-datasets --json write rows as they are
// found and hold a bounded part of what they read, whatever its size.

#include <sys/resource.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using testutil::ChildProcess;

namespace {

// The largest resident size of any child waited for so far, in MiB.
double PeakChildMiB() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB.
}

// Runs the real binary to its end and returns its exit status.
int RunChild(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  while (child.ReadLine(std::chrono::seconds(60))) {
  }
  const int status = child.Wait();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("log --actor of nobody reads a log far larger than the memory it holds",
          "[cli][stream]") {
  testutil::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/small");
  std::filesystem::create_directories(dir.path() + "/big");
  const std::string small = testutil::CreateHscRepository(dir.path() + "/small");
  const std::string big = testutil::CreateHscRepository(dir.path() + "/big");
  {
    // About 200 MB of events: an instrument record of 48 KiB rewritten 4,000 times.
    engine::StoreOptions unsynced;
    unsynced.sync = false;  // Durability is not what this test is about.
    auto store = std::move(engine::EventStore::Open(big, unsynced).value());
    for (int i = 0; i < 4000; ++i) {
      std::string text(48 << 10, static_cast<char>('a' + i % 2));
      REQUIRE(store
                  ->Append(codec::InsertDimensionRecords{"instrument",
                                                         {{{"instrument", std::string("HSC")},
                                                           {"class_name", std::move(text)}}},
                                                         true},
                           "writer")
                  .ok());
    }
  }
  REQUIRE(RunChild({STARLOG_BINARY, "log", small, "--actor", "nobody"}) == 0);
  const double baseline = PeakChildMiB();
  REQUIRE(RunChild({STARLOG_BINARY, "log", big, "--actor", "nobody"}) == 0);
  const double peak = PeakChildMiB();
  INFO("peak resident: " << peak << " MiB, on a small log " << baseline << " MiB");
  CHECK(peak < baseline + 40);
}
