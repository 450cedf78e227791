// Writers in separate processes wait for one another instead of failing
// (--lock-timeout), and a holder that never lets go costs a clear error.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

std::string Created(const starlog::testutil::TempDir& dir) {
  // No policy: the holder below writes as a user DMTN-167's would refuse.
  const std::string repo = starlog::testutil::CreateHscRepository(dir.path());
  REQUIRE(RunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"})
              .exit_code == 0);
  return repo;
}

}  // namespace

TEST_CASE("Writers in six processes at once all succeed, one after another", "[cli][lock]") {
  starlog::testutil::TempDir dir;
  const std::string repo = Created(dir);
  std::vector<std::unique_ptr<ChildProcess>> writers;
  for (int i = 0; i < 6; ++i) {
    const std::string run = "run" + std::to_string(i);
    // Two writes a process, as a job that makes its run and registers into it.
    const std::string script =
        "\"$0\" create-collection \"$1\" \"$2\" && \"$0\" "
        "register-datasets \"$1\" bias \"$2\" \"$3\"";
    writers.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c", script, STARLOG_BINARY, repo, run, dir.Sub("d.csv")}));
  }
  for (auto& w : writers) {
    const int status = w->Wait();
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto runs = RunStarlog({"query-collections", repo, "--json"});
  REQUIRE(runs.exit_code == 0);
  for (int i = 0; i < 6; ++i) CHECK(Contains(runs.out, "\"run" + std::to_string(i) + "\""));
}

TEST_CASE("A writer gives up after --lock-timeout, saying why", "[cli][lock]") {
  starlog::testutil::TempDir dir;
  const std::string repo = Created(dir);
  // A writer that holds the lock until it is killed.
  ChildProcess holder({STARLOG_CRASH_WRITER, repo, "--pause-ms", "50"});
  auto ready = holder.ReadLine(std::chrono::seconds(30));
  REQUIRE(ready == std::optional<std::string>("ready"));
  auto at_once = RunStarlog({"create-collection", repo, "x", "--lock-timeout", "0"});
  CHECK(at_once.exit_code == 1);
  CHECK(Contains(at_once.err, "open for writing by another process"));
  auto later = RunStarlog({"create-collection", repo, "x", "--lock-timeout", "2"});
  CHECK(later.exit_code == 1);
  CHECK(Contains(later.err, "open for writing by another process"));
  CHECK(Contains(later.err, "waiting for"));
  CHECK(RunStarlog({"create-collection", repo, "x", "--lock-timeout", "lots"}).exit_code == 2);
}

TEST_CASE("A lock timeout past a day, or not a number, is a usage error", "[cli][lock]") {
  starlog::testutil::TempDir dir;
  const std::string repo = Created(dir);
  for (const std::string bad : {"86401", "-1", "ten"}) {
    auto r = RunStarlog({"create-collection", repo, "x" + bad, "--lock-timeout", bad});
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);  // A usage error: nothing was tried.
  }
  CHECK(RunStarlog({"create-collection", repo, "y", "--lock-timeout", "86400"}).exit_code == 0);
  auto names = RunStarlog({"query-collections", repo, "--json"});
  CHECK_FALSE(Contains(names.out, "\"x"));
}

TEST_CASE("register-datasets reads its files before it waits for the write lock", "[cli][lock]") {
  // A file's checksum can take minutes; the writer's lock is taken only for
  // the edit. So a file that is not there is reported at once, even while
  // another process holds the lock.
  starlog::testutil::TempDir dir;
  const std::string repo = Created(dir);
  REQUIRE(RunStarlog({"create-collection", repo, "run"}).exit_code == 0);
  std::ofstream(dir.Sub("rows.csv")) << "instrument,detector,path\nHSC,1,missing.fits\n";
  ChildProcess holder({STARLOG_CRASH_WRITER, repo, "--pause-ms", "50"});
  REQUIRE(holder.ReadLine(std::chrono::seconds(30)) == std::optional<std::string>("ready"));
  auto r = RunStarlog(
      {"register-datasets", repo, "bias", "run", dir.Sub("rows.csv"), "--lock-timeout", "0"});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.err, "row 1: no file"));
  CHECK_FALSE(Contains(r.err, "open for writing by another process"));
}
