#include <catch2/catch.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/table.h"
#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::HeadOf;
using starlog::testutil::RunStarlog;
using starlog::testutil::TempDir;

TEST_CASE("create, create-collection, log and info work together", "[cli]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  auto created = RunStarlog({"create", repo, "--user", "alice", "--no-sync"});
  REQUIRE(created.exit_code == 0);
  CHECK(Contains(created.out, "created repository"));
  REQUIRE(
      RunStarlog({"create-collection", repo, "HSC/raw/all", "--doc", "all raws", "--user", "alice"})
          .exit_code == 0);
  REQUIRE(
      RunStarlog({"create-collection", repo, "HSC/calib", "--type", "chained", "--user", "alice"})
          .exit_code == 0);

  auto log = RunStarlog({"log", repo});
  REQUIRE(log.exit_code == 0);
  CHECK(Contains(log.out, "init-repository"));
  CHECK(Contains(log.out, "RUN HSC/raw/all (all raws)"));
  CHECK(Contains(log.out, "CHAINED HSC/calib"));
  CHECK(Contains(log.out, "alice"));

  auto json = RunStarlog({"log", repo, "--from", "2", "--limit", "1", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(Contains(json.out, "\"sequence\":2"));
  CHECK(Contains(json.out, "\"chain_hash\":\""));
  CHECK_FALSE(Contains(json.out, "\"sequence\":3"));

  auto info = RunStarlog({"info", repo, "--json"});
  REQUIRE(info.exit_code == 0);
  CHECK(Contains(info.out, "\"head_sequence\":4"));  // Event 2 is the access policy.
  CHECK(Contains(info.out, "\"collections\":{\"live_entries\":2"));
}

TEST_CASE("Rejected commands exit non-zero, say why, and leave the log as it was", "[cli]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/raw/all"}).exit_code == 0);
  const uint64_t before = HeadOf(repo);

  auto bad_name = RunStarlog({"create-collection", repo, "HSC/raw/*"});
  CHECK(bad_name.exit_code == 1);
  CHECK(Contains(bad_name.err, "contains '*'"));

  auto other_type = RunStarlog({"create-collection", repo, "HSC/raw/all", "--type", "TAGGED"});
  CHECK(other_type.exit_code == 1);
  CHECK(Contains(other_type.err, "already exists as a RUN collection"));

  auto bad_type = RunStarlog({"create-collection", repo, "x", "--type", "FOLDER"});
  CHECK(bad_type.exit_code == 2);  // A bad choice is a usage error.
  CHECK(Contains(bad_type.err, "unknown collection type 'FOLDER'"));

  auto missing = RunStarlog({"remove-collection", repo, "no/such"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "no collection 'no/such'"));

  auto again = RunStarlog({"create", repo});
  CHECK(again.exit_code == 1);
  CHECK(Contains(again.err, "already exists"));

  CHECK(HeadOf(repo) == before);
}

TEST_CASE("Usage errors exit 2 and name the problem", "[cli]") {
  auto unknown = RunStarlog({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(Contains(unknown.err, "unknown command 'frobnicate'"));
  auto no_path = RunStarlog({"info"});
  CHECK(no_path.exit_code == 2);
  CHECK(Contains(no_path.err, "missing PATH"));
  auto bad_option = RunStarlog({"log", "/nonexistent", "--colour"});
  CHECK(bad_option.exit_code == 2);
  CHECK(Contains(bad_option.err, "unknown option --colour"));
  auto bad_number = RunStarlog({"log", "/nonexistent", "--from", "ten"});
  CHECK(bad_number.exit_code == 2);
  CHECK(Contains(bad_number.err, "--from takes a non-negative integer, not 'ten'"));
  CHECK(RunStarlog({}).exit_code == 2);
}

TEST_CASE("A missing repository is a clear error", "[cli]") {
  TempDir dir;
  auto r = RunStarlog({"info", dir.Sub("nope")});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.err, "no starlog repository at"));
}

TEST_CASE("Every subcommand has --help with usage, options and an example", "[cli]") {
  for (const auto& command : starlog::cli::AllCommands()) {
    INFO(command.name);
    auto r = RunStarlog({command.name, "--help"});
    CHECK(r.exit_code == 0);
    CHECK(Contains(r.out, "usage: starlog " + command.name));
    CHECK(Contains(r.out, "options:"));
    CHECK(Contains(r.out, "examples:"));
  }
  auto overview = RunStarlog({"--help"});
  CHECK(overview.exit_code == 0);
  for (const auto& command : starlog::cli::AllCommands())
    CHECK(Contains(overview.out, command.name));
}

TEST_CASE("Tables pad cells by display width, not bytes", "[cli][table]") {
  using starlog::cli::DisplayWidth;
  CHECK(DisplayWidth("HSC") == 3);
  CHECK(DisplayWidth("Éta") == 3);       // Two bytes for É, one column.
  CHECK(DisplayWidth("仙女座") == 6);    // Wide: two columns each.
  CHECK(DisplayWidth("e\u0301") == 1);   // A combining accent takes none.
  CHECK(DisplayWidth("\xff\xfe") == 2);  // Not UTF-8: a column per byte.
  starlog::cli::Table t({"NAME", "N"});
  t.AddRow({"仙女座", "1"});
  t.AddRow({"Éta", "2"});
  std::ostringstream out;
  t.Print(out);
  CHECK(out.str() ==
        "NAME    N\n"
        "------  -\n"
        "仙女座  1\n"
        "Éta     2\n");
}
