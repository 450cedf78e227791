// The replication commands as an operator runs them: `starlog serve` in its
// own process, replicate, status and verify against it, and every write
// command refused on the replica.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::RunStarlog;

namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Primary {
  Primary() : repo(dir.Sub("repo")), key(dir.Sub("key")) {
    std::ofstream(key) << "0123456789abcdef-a-key-for-tests\n";
    Run({"create", repo, "--no-sync"});
    std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n";
    std::ofstream(dir.Sub("d.csv")) << "instrument,detector\nHSC,1\nHSC,2\n";
    std::ofstream(dir.Sub("d3.csv")) << "instrument,detector\nHSC,3\n";
    Run({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
    Run({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")});
    Run({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
         "--is-calibration"});
    Run({"create-collection", repo, "run1"});
    Run({"create-collection", repo, "tagged", "--type", "TAGGED"});
    Run({"create-collection", repo, "calib", "--type", "CALIBRATION"});
    std::ofstream(repo + "/bias_1.fits") << "SIMPLE  = T / a bias";
    std::ofstream(dir.Sub("b.csv")) << "instrument,detector,path\nHSC,1,bias_1.fits\n";
    Run({"register-datasets", repo, "bias", "run1", dir.Sub("b.csv")});
    std::ofstream(dir.Sub("b2.csv")) << "instrument,detector\nHSC,2\n";
  }
  void Run(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  starlog::testutil::TempDir dir;
  std::string repo;
  std::string key;
};

// `starlog serve` in a child process; its address from the line it prints.
struct Served {
  explicit Served(const Primary& p)
      : child({STARLOG_BINARY, "serve", p.repo, "--listen", "127.0.0.1:0", "--key", p.key}) {
    auto line = child.ReadLine(std::chrono::seconds(10));
    REQUIRE(line.has_value());
    REQUIRE(Contains(*line, "serving"));
    address = line->substr(line->rfind(' ') + 1);
  }
  ~Served() {
    child.Kill(SIGTERM);
    child.Wait();
  }
  ChildProcess child;
  std::string address;
};

}  // namespace

TEST_CASE("serve in its own process; replicate, status and verify against it",
          "[cli][replication]") {
  Primary p;
  Served served(p);
  const std::string mirror = p.dir.Sub("mirror");
  auto r = RunStarlog({"replicate", mirror, "--from", served.address, "--key", p.key});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(Contains(r.out, "(caught up); 1 files copied"));
  std::ifstream copied(mirror + "/bias_1.fits");
  CHECK(std::string(std::istreambuf_iterator<char>(copied), {}) == "SIMPLE  = T / a bias");

  auto status = RunStarlog({"status", mirror});
  REQUIRE(status.exit_code == 0);
  CHECK(Contains(status.out, "primary     " + served.address + ", caught up"));
  CHECK(Contains(status.out, "lag         0 events"));
  CHECK(Contains(status.out, "last error  none"));
  CHECK(Contains(status.out, " UTC ("));  // Times carry their scale.
  auto json = RunStarlog({"status", mirror, "--json"});
  CHECK(Contains(json.out, "\"role\":\"replica\""));
  CHECK(Contains(json.out, "\"lag_events\":0"));
  CHECK(Contains(RunStarlog({"status", p.repo}).out, "is a primary repository"));

  auto remote =
      RunStarlog({"verify", mirror, "--against", served.address, "--key", p.key, "--recompute"});
  INFO(remote.err);
  CHECK(remote.exit_code == 0);
  CHECK(Contains(remote.out, "agree through event"));
  auto local = RunStarlog({"verify", mirror, "--against", p.repo});
  CHECK(local.exit_code == 0);

  // The primary moves on: verify says who is ahead; a rerun catches up.
  p.Run({"create-collection", p.repo, "run2"});
  auto behind = RunStarlog({"verify", mirror, "--against", p.repo});
  CHECK(behind.exit_code == 0);
  CHECK(Contains(behind.out, "the other is ahead"));
  REQUIRE(RunStarlog({"replicate", mirror, "--from", served.address, "--key", p.key}).exit_code ==
          0);
  CHECK_FALSE(Contains(RunStarlog({"verify", mirror, "--against", p.repo}).out, "ahead"));
}

TEST_CASE("Every write command on a replica is refused, and changes nothing",
          "[cli][replication]") {
  Primary p;
  Served served(p);
  const std::string m = p.dir.Sub("mirror");
  REQUIRE(RunStarlog({"replicate", m, "--from", served.address, "--key", p.key}).exit_code == 0);
  const std::string before = RunStarlog({"info", m, "--json"}).out;
  const std::vector<std::vector<std::string>> writes = {
      {"create-collection", m, "run2"},
      {"remove-collection", m, "tagged"},
      {"collection-chain", m, "chain", "run1"},
      {"register-dataset-type", m, "flat", "ExposureF", "instrument", "detector"},
      {"remove-dataset-type", m, "bias"},
      {"insert-dimension-records", m, "detector", p.dir.Sub("d3.csv")},
      {"register-datasets", m, "bias", "run1", p.dir.Sub("b2.csv")},
      {"associate", m, "tagged", "--dataset-type", "bias", "--collections", "run1"},
      {"disassociate", m, "tagged", "--dataset-type", "bias"},
      {"certify-calibrations", m, "run1", "calib", "bias", "--begin-date", "2024-01-01"},
      {"decertify-calibrations", m, "calib", "bias", "--begin-date", "2024-01-01"},
      {"prune-datasets", m, "--dataset-type", "bias", "--collections", "run1"},
      {"remove-runs", m, "run1"},
      {"snapshot", "create", m, "s1"},
  };
  for (const auto& args : writes) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(Contains(r.err, "is a replica"));
  }
  CHECK(RunStarlog({"info", m, "--json"}).out == before);
}

TEST_CASE("Replication refusals are clear on both sides", "[cli][replication]") {
  Primary p;
  Served served(p);
  std::ofstream(p.dir.Sub("wrong")) << "not-the-key-the-primary-holds\n";
  auto wrong = RunStarlog(
      {"replicate", p.dir.Sub("m"), "--from", served.address, "--key", p.dir.Sub("wrong")});
  CHECK(wrong.exit_code == 1);
  CHECK(Contains(wrong.err, "authentication failed"));
  auto none = RunStarlog({"replicate", p.dir.Sub("m"), "--from", served.address});
  CHECK(none.exit_code == 2);  // A missing required option is a usage error.
  CHECK(Contains(none.err, "--key"));
  auto short_key =
      RunStarlog({"serve", p.repo, "--listen", "127.0.0.1:0", "--key", p.dir.Sub("i.csv")});
  CHECK(short_key.exit_code == 1);
  CHECK(Contains(short_key.err, "needs at least 16"));
  auto nobody = RunStarlog(
      {"replicate", p.dir.Sub("m"), "--from", "127.0.0.1:1", "--key", p.key, "--retries", "0"});
  CHECK(nobody.exit_code == 1);
  CHECK(Contains(nobody.err, "cannot connect to 127.0.0.1:1"));
  auto into_primary = RunStarlog({"replicate", p.repo, "--from", served.address, "--key", p.key});
  CHECK(into_primary.exit_code == 1);
  CHECK(Contains(into_primary.err, "not a replica"));
}
