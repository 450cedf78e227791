#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

struct Repo {
  Repo() : repo(dir.Sub("repo")) {
    Run({"create", repo, "--no-sync"});
    std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n";
    std::ofstream(dir.Sub("d.csv")) << "instrument,detector\nHSC,1\nHSC,2\n";
    Run({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
    Run({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")});
    Run({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"});
    Run({"create-collection", repo, "run1"});
  }
  void Run(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  std::string Out(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  starlog::testutil::TempDir dir;
  std::string repo;
};

}  // namespace

TEST_CASE("snapshot create, list and show, queries as of a snapshot", "[cli][history]") {
  Repo r;
  r.Run({"snapshot", "create", r.repo, "empty-run1"});
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,1\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  r.Run({"snapshot", "create", r.repo, "first", "--at", "2"});
  auto list = r.Out({"snapshot", "list", r.repo});
  CHECK(Contains(list, "empty-run1"));
  CHECK(Contains(list, "first"));
  auto show = r.Out({"snapshot", "show", r.repo, "first", "--json"});
  CHECK(Contains(show, "\"sequence\":2"));
  CHECK(RunStarlog({"snapshot", "create", r.repo, "first"}).exit_code == 1);
  CHECK(RunStarlog({"snapshot", "show", r.repo, "nope"}).exit_code == 1);
  CHECK(RunStarlog({"snapshot", "rename", r.repo}).exit_code == 2);
  auto now = r.Out({"query-datasets", r.repo, "bias", "--collections", "run1", "--json"});
  CHECK(Contains(now, "\"detector\":1"));
  auto then = r.Out({"query-datasets", r.repo, "bias", "--collections", "run1", "--as-of",
                     "empty-run1", "--json"});
  CHECK_FALSE(Contains(then, "\"detector\":1"));
}

TEST_CASE("digest prints the recorded digest and recomputes it", "[cli][history]") {
  Repo r;
  auto d = r.Out({"digest", r.repo, "--recompute", "--json"});
  CHECK(Contains(d, "\"agrees\":true"));
  auto old = r.Out({"digest", r.repo, "--as-of", "2"});
  CHECK(Contains(old, "sequence      2"));
}

TEST_CASE("rebuild reproduces the digest and reports it", "[cli][history]") {
  Repo r;
  const std::string before = r.Out({"digest", r.repo});
  auto out = r.Out({"rebuild", r.repo, "--no-sync"});
  CHECK(Contains(out, "matched at every event"));
  CHECK(r.Out({"digest", r.repo}) == before);
}

TEST_CASE("diff shows what changed between two points", "[cli][history]") {
  Repo r;
  r.Run({"snapshot", "create", r.repo, "start"});
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,2\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  r.Run({"create-collection", r.repo, "tagged", "--type", "TAGGED"});
  auto table = r.Out({"diff", r.repo, "--from", "start"});
  CHECK(Contains(table, "bias instrument=HSC, detector=2"));
  CHECK(Contains(table, "tagged"));
  auto json = r.Out({"diff", r.repo, "--from", "start", "--json"});
  CHECK(Contains(json, "\"datasets_added\":[{"));
  CHECK(RunStarlog({"diff", r.repo}).exit_code == 2);
}

TEST_CASE("wait, in its own process, is woken when another process registers the dataset",
          "[cli][wait]") {
  Repo r;
  ChildProcess waiter({STARLOG_BINARY, "wait", r.repo, "--dataset-type", "bias", "--data-id",
                       "instrument=HSC,detector=2", "--collections", "run1", "--timeout", "60s"});
  // Registering through the library, as another writer process would.
  REQUIRE(waiter.WaitUntilWatching(std::chrono::seconds(30)));
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,2\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  auto line = waiter.ReadLine(std::chrono::seconds(30));
  const int status = waiter.Wait();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE(line.has_value());
  CHECK(Contains(*line, "TYPE"));
}

TEST_CASE("wait times out with a clear error and a non-zero exit", "[cli][wait]") {
  Repo r;
  auto res =
      RunStarlog({"wait", r.repo, "--dataset-type", "bias", "--data-id",
                  "instrument=HSC,detector=1", "--collections", "run1", "--timeout", "300ms"});
  CHECK(res.exit_code == 1);
  CHECK(Contains(res.err, "Timed out: waited 300 ms"));
  CHECK(Contains(res.err, "run1"));
  CHECK(RunStarlog({"wait", r.repo, "--dataset-type", "bias", "--collections", "run1", "--timeout",
                    "soon"})
            .exit_code == 2);  // An unparsable duration is a usage error.
}
