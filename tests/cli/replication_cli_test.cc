// The replication commands as an operator runs them: `starlog serve` in its
// own process, replicate, status and verify against it, and every write
// command refused on the replica.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/replication/replication_status.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

struct Primary {
  Primary() : repo(dir.Sub("repo")), key(dir.Sub("key")) {
    std::ofstream(key) << "0123456789abcdef-a-key-for-tests\n";
    std::filesystem::permissions(
        key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
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
// With "service" false, replication alone (--no-service): no write lock, as
// a primary its writers open themselves.
struct Served {
  explicit Served(const Primary& p, bool service = true) : child(Argv(p, service)) {
    auto line = child.ReadLine(std::chrono::seconds(10));
    REQUIRE(line.has_value());
    REQUIRE(Contains(*line, "serving"));
    address = line->substr(line->rfind(' ') + 1);
  }
  ~Served() {
    child.Kill(SIGTERM);
    child.Wait();
  }
  static std::vector<std::string> Argv(const Primary& p, bool service) {
    std::vector<std::string> argv = {STARLOG_BINARY, "serve", p.repo, "--listen",
                                     "127.0.0.1:0",  "--key", p.key};
    if (!service) argv.push_back("--no-service");
    return argv;
  }
  ChildProcess child;
  std::string address;
};

}  // namespace

TEST_CASE("serve in its own process, replicate, status and verify against it",
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
  // No service: the replicate into the primary below must get as far as
  // asking it, not stop at its write lock.
  Served served(p, /*service=*/false);
  std::ofstream(p.dir.Sub("wrong")) << "not-the-key-the-primary-holds\n";
  const auto owner_only = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  std::filesystem::permissions(p.dir.Sub("wrong"), owner_only);
  auto wrong = RunStarlog(
      {"replicate", p.dir.Sub("m"), "--from", served.address, "--key", p.dir.Sub("wrong")});
  CHECK(wrong.exit_code == 1);
  CHECK(Contains(wrong.err, "authentication failed"));
  auto none = RunStarlog({"replicate", p.dir.Sub("m"), "--from", served.address});
  CHECK(none.exit_code == 2);  // A missing required option is a usage error.
  CHECK(Contains(none.err, "--key"));
  std::filesystem::permissions(p.dir.Sub("i.csv"), owner_only);
  auto short_key =
      RunStarlog({"serve", p.repo, "--listen", "127.0.0.1:0", "--key", p.dir.Sub("i.csv")});
  CHECK(short_key.exit_code == 1);
  CHECK(Contains(short_key.err, "needs at least 16"));
  // A key file others may read is refused by every command that takes one.
  std::ofstream(p.dir.Sub("open-key")) << "0123456789abcdef-a-key-for-tests\n";
  std::filesystem::permissions(p.dir.Sub("open-key"), owner_only |
                                                          std::filesystem::perms::group_read |
                                                          std::filesystem::perms::others_read);
  const std::vector<std::vector<std::string>> takes_key = {
      {"serve", p.repo, "--listen", "127.0.0.1:0", "--key", p.dir.Sub("open-key")},
      {"replicate", p.dir.Sub("m2"), "--from", served.address, "--key", p.dir.Sub("open-key")},
      {"verify", p.repo, "--against", served.address, "--key", p.dir.Sub("open-key")}};
  for (const auto& command : takes_key) {
    auto open = RunStarlog(command);
    INFO(command[0] << ": " << open.err);
    CHECK(open.exit_code == 1);
    CHECK(Contains(open.err, "UNPROTECTED KEY FILE"));
    CHECK(Contains(open.err, "chmod 600"));
  }
  auto nobody = RunStarlog(
      {"replicate", p.dir.Sub("m"), "--from", "127.0.0.1:1", "--key", p.key, "--retries", "0"});
  CHECK(nobody.exit_code == 1);
  CHECK(Contains(nobody.err, "cannot connect to 127.0.0.1:1"));
  auto into_primary = RunStarlog({"replicate", p.repo, "--from", served.address, "--key", p.key});
  CHECK(into_primary.exit_code == 1);
  CHECK(Contains(into_primary.err, "not a replica"));
}

TEST_CASE(
    "Files lost or damaged on a replica: status counts them, verify --files finds them, "
    "replicate fetches them again (by a stat, or reading them all when asked)",
    "[cli][replication][files]") {
  Primary p;
  p.Run({"create-collection", p.repo, "run2"});
  std::ofstream(p.repo + "/bias_2.fits") << "SIMPLE  = T / bias two";
  std::ofstream(p.repo + "/bias_3.fits") << "SIMPLE  = T / bias three";
  std::ofstream(p.dir.Sub("b2p.csv")) << "instrument,detector,path\nHSC,2,bias_2.fits\n";
  std::ofstream(p.dir.Sub("b3p.csv")) << "instrument,detector,path\nHSC,1,bias_3.fits\n";
  p.Run({"register-datasets", p.repo, "bias", "run1", p.dir.Sub("b2p.csv")});
  p.Run({"register-datasets", p.repo, "bias", "run2", p.dir.Sub("b3p.csv")});
  Served served(p);
  const std::string mirror = p.dir.Sub("mirror");
  REQUIRE(RunStarlog({"replicate", mirror, "--from", served.address, "--key", p.key}).exit_code ==
          0);
  auto clean = RunStarlog({"verify", mirror, "--files"});
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(Contains(clean.out, "files: 3 checked by size and XXH3-128, 0 missing, 0 damaged"));
  CHECK(Contains(RunStarlog({"status", mirror}).out, "3 files wanted, 0 missing, 0 damaged"));

  // One lost, one cut short, one changed in place (same size).
  std::filesystem::remove(mirror + "/bias_1.fits");
  std::filesystem::resize_file(mirror + "/bias_3.fits", 5);
  std::ofstream(mirror + "/bias_2.fits") << "SIMPLE  = F / bias two";
  auto status = RunStarlog({"status", mirror});
  INFO(status.out);
  CHECK(Contains(status.out, "3 files wanted, 1 missing, 1 damaged"));
  CHECK(Contains(status.out, "missing: bias_1.fits"));
  CHECK(Contains(RunStarlog({"status", mirror, "--json"}).out,
                 "\"files_missing\":1,\"files_damaged\":1"));
  auto damaged = RunStarlog({"verify", mirror, "--files"});
  INFO(damaged.out << damaged.err);
  CHECK(damaged.exit_code == 1);
  CHECK(Contains(damaged.out, "1 missing, 2 damaged"));
  CHECK(Contains(damaged.out, "checksum: bias_2.fits"));
  CHECK(Contains(damaged.out, "size: bias_3.fits"));
  // Even when the copies agree on every event.
  CHECK(RunStarlog({"verify", mirror, "--against", p.repo, "--files"}).exit_code == 1);

  // A plain run fetches what a stat finds lost (missing, cut short), without
  // reading every file; a change in place needs --recheck-contents.
  auto again = RunStarlog({"replicate", mirror, "--from", served.address, "--key", p.key});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.err, "bias_1.fits is missing on the replica"));
  auto after_stat = RunStarlog({"verify", mirror, "--files"});
  CHECK(Contains(after_stat.out, "0 missing, 1 damaged"));
  CHECK(Contains(after_stat.out, "checksum: bias_2.fits"));
  auto read_all = RunStarlog(
      {"replicate", mirror, "--from", served.address, "--key", p.key, "--recheck-contents"});
  INFO(read_all.err);
  CHECK(read_all.exit_code == 0);
  CHECK(RunStarlog({"verify", mirror, "--files"}).exit_code == 0);
  std::ifstream two(mirror + "/bias_2.fits");
  CHECK(std::string(std::istreambuf_iterator<char>(two), {}) == "SIMPLE  = T / bias two");
}

TEST_CASE("What a peer sent is printed escaped by status", "[cli][replication]") {
  Primary p;
  Served served(p);
  const std::string mirror = p.dir.Sub("mirror");
  REQUIRE(RunStarlog({"replicate", mirror, "--from", served.address, "--key", p.key}).exit_code ==
          0);
  // As a hostile primary would leave it: escape sequences in a path and an error.
  std::ofstream(starlog::replication::ReplicationStatusPath(mirror))
      << R"({"primary":"x","state":"disconnected","last_error":"says: \u001b]0;owned\u0007",)"
      << R"("failed_files":[{"path":"raw/\u001b[2Jx.fits","size":1,)"
      << R"("checksum":"00000000000000000000000000000000","error":"bad\u001b[31m"}]})";
  auto status = RunStarlog({"status", mirror});
  INFO(status.out << status.err);
  REQUIRE(status.exit_code == 0);
  CHECK(status.out.find('\x1b') == std::string::npos);
  CHECK(status.out.find('\x07') == std::string::npos);
  CHECK(Contains(status.out, "raw/\\x1b[2Jx.fits"));
  CHECK(Contains(status.out, "says: \\x1b]0;owned\\x07"));
}
