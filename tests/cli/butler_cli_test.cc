// `import --format butler` and `export --format butler` through the CLI, on
// the hand-written butler export of tests/ingest/data/butler_export.

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::testutil {
namespace {

const std::string kFixture = std::string(STARLOG_SOURCE_DIR) + "/tests/ingest/data/butler_export";

TEST_CASE("import --format butler: dry run, import, export and import again", "[cli][butler]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  MustRunStarlog({"create", repo, "--no-policy"});
  auto dry = MustRunStarlog({"import", repo, kFixture, "--format", "butler", "--dry-run"});
  CHECK(Contains(dry.out, "would import 6 datasets (4 files)"));
  CHECK(Contains(MustRunStarlog({"query-collections", repo}).out, "NAME"));
  CHECK_FALSE(Contains(MustRunStarlog({"query-collections", repo}).out, "Cam1"));

  auto imported = MustRunStarlog({"import", repo, kFixture, "--format", "butler"});
  CHECK(Contains(imported.out, "imported 6 datasets (4 files)"));
  CHECK(Contains(imported.out, "3 certified"));
  auto again = MustRunStarlog({"import", repo, kFixture, "--format", "butler"});
  CHECK(Contains(again.out, "6 datasets already there"));
  CHECK_FALSE(Contains(again.out, "events"));

  auto found =
      MustRunStarlog({"find-dataset", repo, "bias", "--data-id", "instrument=Cam1,detector=1",
                      "--collections", "Cam1/defaults", "--time", "2021-09-15T00:00:00"});
  CHECK(Contains(found.out, "e15ab039-bc8b-4135-87c5-90902a7c0b22"));

  const std::string out = dir.Sub("out");
  auto exported =
      MustRunStarlog({"export", repo, "bias", "flat", "raw", "--collections",
                      "Cam1/defaults,Cam1/tagged/best", "--format", "butler", "--to", out});
  CHECK(Contains(exported.out, "exported 6 datasets (4 files"));
  CHECK(std::filesystem::exists(out + "/export.yaml"));
  const std::string second = dir.Sub("second");
  MustRunStarlog({"create", second, "--no-policy"});
  auto round = MustRunStarlog(
      {"import", second, out + "/export.yaml", "--format", "butler", "--transfer", "hardlink"});
  CHECK(Contains(round.out, "imported 6 datasets (4 files)"));
  auto calibs = MustRunStarlog(
      {"query-datasets", second, "bias", "--collections", "Cam1/calib", "--find-all"});
  CHECK(Contains(calibs.out, "[2021-10-01T00:00:00, +inf)"));
}

TEST_CASE("import --format: an unknown format is a usage error", "[cli][butler]") {
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  MustRunStarlog({"create", repo, "--no-policy"});
  auto r = RunStarlog({"import", repo, kFixture, "--format", "yaml"});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "unknown --format 'yaml'"));
  auto e = RunStarlog(
      {"export", repo, "bias", "--collections", "x", "--format", "yaml", "--to", dir.Sub("out")});
  CHECK(e.exit_code == 2);
}

}  // namespace
}  // namespace starlog::testutil
