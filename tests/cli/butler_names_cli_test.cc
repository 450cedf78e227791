// The butler's command and option names, where starlog's differ, answer as
// starlog's own do (issue #17 item 12), and --version says what it speaks.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

TEST_CASE("ingest-files and --id-generation-mode register as register-datasets does",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n";
  std::ofstream(dir.Sub("d.csv")) << "instrument,detector\nHSC,1\n";
  REQUIRE(
      RunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")}).exit_code ==
      0);
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")}).exit_code ==
          0);
  REQUIRE(RunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"})
              .exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "a"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "b"}).exit_code == 0);
  auto ours = RunStarlog(
      {"register-datasets", repo, "bias", "a", dir.Sub("d.csv"), "--id-mode", "datatype-run"});
  REQUIRE(ours.exit_code == 0);
  auto butlers = RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"),
                             "--id-generation-mode", "dataid_type_run"});
  INFO(butlers.err);
  REQUIRE(butlers.exit_code == 0);
  CHECK(Contains(butlers.out, "registered 1 bias datasets in b"));
  // DATAID_TYPE_RUN is datatype-run: the same registration in starlog's
  // words makes the very same ids, so nothing changes (with random ids it
  // would be a conflict).
  auto again = RunStarlog(
      {"register-datasets", repo, "bias", "b", dir.Sub("d.csv"), "--id-mode", "datatype-run"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.out, "nothing changed"));
  CHECK(RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"), "--id-generation-mode",
                    "SOMETIMES"})
            .exit_code == 2);
  CHECK(RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"), "--id-generation-mode",
                    "UNIQUE", "--id-mode", "unique"})
            .exit_code == 2);
  auto help = RunStarlog({"--help"});
  CHECK(Contains(help.out, "(also: ingest-files)"));
}

TEST_CASE("query-collections takes the butler's --collection-type and --chains spellings",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "run1"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "chain", "run1"}).exit_code == 0);
  auto ours = RunStarlog({"query-collections", repo, "--type", "CHAINED", "--chains", "no"});
  auto butlers = RunStarlog(
      {"query-collections", repo, "--collection-type", "chained", "--chains", "NO-CHILDREN"});
  REQUIRE(ours.exit_code == 0);
  CHECK(butlers.out == ours.out);
  CHECK(Contains(ours.out, "chain"));
  CHECK_FALSE(Contains(ours.out, "run1"));
  CHECK(RunStarlog({"query-collections", repo, "--chains", "INVERSE-TREE"}).exit_code == 2);
}

TEST_CASE("The version says which formats and protocols it speaks", "[cli]") {
  auto v = RunStarlog({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(Contains(v.out, "starlog "));
  CHECK(Contains(v.out, "repository format 1"));
  CHECK(Contains(v.out, "service protocol"));
}
