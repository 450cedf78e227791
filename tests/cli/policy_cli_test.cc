// The access policy as operators meet it: refusals that name the rule,
// grants by an admin, personal collections, and the log asked who did what.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

TEST_CASE("policy: refusals name the rule, an admin grants, the log says who did what",
          "[cli][policy]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  auto created = RunStarlog({"create", repo, "--user", "boss", "--no-sync"});
  REQUIRE(created.exit_code == 0);
  CHECK(Contains(created.out, "DMTN-167 access policy, boss as admin"));

  auto refused = RunStarlog({"create-collection", repo, "HSC/raw/all", "--user", "alice"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err,
                 "user 'alice' may not write collection HSC/raw/all: rule "
                 "'*/raw/all' grants it to operators"));
  auto self_grant = RunStarlog({"policy", "grant", repo, "operators", "alice", "--user", "alice"});
  CHECK(self_grant.exit_code == 1);
  CHECK(Contains(self_grant.err, "only admins may"));
  REQUIRE(RunStarlog({"policy", "grant", repo, "operators", "alice", "--user", "boss"}).exit_code ==
          0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/raw/all", "--user", "alice"}).exit_code == 0);
  auto show = RunStarlog({"policy", "show", repo});
  CHECK(Contains(show.out, "operators"));
  CHECK(Contains(show.out, "alice"));
  CHECK(Contains(show.out, "<user> only"));
  auto before = RunStarlog({"policy", "show", repo, "--as-of", "2", "--json"});
  CHECK(Contains(before.out, "\"operators\":[]"));

  auto personal = RunStarlog({"create-collection", repo, "u/bob/tmp", "--user", "alice"});
  CHECK(personal.exit_code == 1);
  CHECK(Contains(personal.err, "u/bob/... is writable by bob only"));
  REQUIRE(RunStarlog({"create-collection", repo, "u/bob/tmp", "--user", "bob"}).exit_code == 0);

  auto by_alice = RunStarlog({"log", repo, "--actor", "alice"});
  CHECK(Contains(by_alice.out, "HSC/raw/all"));
  CHECK_FALSE(Contains(by_alice.out, "u/bob/tmp"));
  auto about_raw = RunStarlog({"log", repo, "--collection", "HSC/*"});
  CHECK(Contains(about_raw.out, "HSC/raw/all"));
  CHECK_FALSE(Contains(about_raw.out, "set-policy"));
  auto later = RunStarlog({"log", repo, "--since", "2999-01-01T00:00:00"});
  CHECK_FALSE(Contains(later.out, "create-collection"));

  // Without a policy, nothing is enforced.
  const std::string open = dir.Sub("open");
  REQUIRE(RunStarlog({"create", open, "--no-policy", "--user", "boss"}).exit_code == 0);
  CHECK(RunStarlog({"create-collection", open, "HSC/raw/all", "--user", "anyone"}).exit_code == 0);
  CHECK(Contains(RunStarlog({"policy", "show", open}).out, "no access policy"));
}

TEST_CASE(
    "check-conventions reports what breaks DMTN-167, bash completion knows commands, options "
    "and the repository's collections",
    "[cli][policy]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync", "--user", "boss"}).exit_code == 0);
  { std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n"; }
  REQUIRE(RunStarlog(
              {"insert-dimension-records", repo, "instrument", dir.Sub("i.csv"), "--user", "boss"})
              .exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/raw/all", "--user", "boss"}).exit_code == 0);
  CHECK(RunStarlog({"check-conventions", repo}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/calib", "--user", "boss"}).exit_code == 0);
  auto report = RunStarlog({"check-conventions", repo, "--json"});
  CHECK(report.exit_code == 1);
  CHECK(Contains(report.out, "\"collection\":\"HSC/calib\""));
  CHECK(Contains(report.out, "should be CHAINED"));

  const std::string bin = std::filesystem::path(STARLOG_BINARY).parent_path().string();
  const std::string script = "PATH=" + bin + ":$PATH; source <(starlog completion); " +
                             "COMP_WORDS=(starlog check-c); COMP_CWORD=1; _starlog; " +
                             "echo \"${COMPREPLY[@]}\"; " + "COMP_WORDS=(starlog query-datasets " +
                             repo + " raw --collections HSC/r); COMP_CWORD=5; _starlog; " +
                             "echo \"${COMPREPLY[@]}\"";
  std::ofstream(dir.Sub("complete.sh")) << script << "\n";
  const std::string out = dir.Sub("complete.out");
  REQUIRE(std::system(("bash " + dir.Sub("complete.sh") + " > " + out).c_str()) == 0);
  std::ifstream in(out);
  std::string commands, collections;
  std::getline(in, commands);
  std::getline(in, collections);
  CHECK(commands == "check-conventions");
  CHECK(collections == "HSC/raw/all");
}

TEST_CASE("Any command given --read-only refuses every write", "[cli][policy]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync"}).exit_code == 0);
  const std::string before = RunStarlog({"info", repo, "--json"}).out;
  auto refused = RunStarlog({"create-collection", repo, "u/x/y", "--read-only"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "is open read-only"));
  auto snapshot = RunStarlog({"snapshot", "create", repo, "s", "--read-only"});
  CHECK(snapshot.exit_code == 1);
  CHECK(RunStarlog({"info", repo, "--json"}).out == before);
  CHECK(RunStarlog({"query-collections", repo, "--read-only"}).exit_code == 0);
}
