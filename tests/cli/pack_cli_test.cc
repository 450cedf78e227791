// `pack` and `unpack`: the butler's packing, per instrument, stable as
// records arrive, and clear refusals.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

std::string WithHsc(const starlog::testutil::TempDir& dir) {
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo}).exit_code == 0);
  // HSC's bounds as obs_subaru declares them.
  std::ofstream(dir.Sub("i.csv")) << "instrument,detector_max,exposure_max\nHSC,200,21474800\n";
  REQUIRE(
      RunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")}).exit_code ==
      0);
  return repo;
}

}  // namespace

TEST_CASE("pack gives the butler's ids, the same before and after another instrument arrives",
          "[cli][pack]") {
  starlog::testutil::TempDir dir;
  const std::string repo = WithHsc(dir);
  const std::vector<std::string> pack = {"pack",
                                         repo,
                                         "exposure,detector",
                                         "instrument=HSC,exposure=903334,detector=16",
                                         "instrument=HSC,exposure=1,detector=0",
                                         "--json"};
  auto before = RunStarlog(pack);
  REQUIRE(before.exit_code == 0);
  // detector + detector_max * exposure.
  CHECK(Contains(before.out, "\"packed\":180666816"));
  CHECK(Contains(before.out, "\"packed\":200"));
  std::ofstream(dir.Sub("j.csv")) << "instrument,detector_max,exposure_max\nLSSTCam,1000,"
                                     "1099511627775\n";
  REQUIRE(
      RunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("j.csv")}).exit_code ==
      0);
  CHECK(RunStarlog(pack).out == before.out);

  // A file of rows packs the same.
  std::ofstream(dir.Sub("ids.csv")) << "instrument,exposure,detector\nHSC,903334,16\n";
  auto from_file =
      RunStarlog({"pack", repo, "exposure,detector", "--file", dir.Sub("ids.csv"), "--json"});
  REQUIRE(from_file.exit_code == 0);
  CHECK(Contains(from_file.out, "\"packed\":180666816"));

  auto back = RunStarlog(
      {"unpack", repo, "exposure,detector", "180666816", "--fixed", "instrument=HSC", "--json"});
  REQUIRE(back.exit_code == 0);
  CHECK(Contains(back.out, "\"detector\":16,\"exposure\":903334,\"instrument\":\"HSC\""));
}

TEST_CASE("pack and unpack refuse what they cannot do, saying why", "[cli][pack]") {
  starlog::testutil::TempDir dir;
  const std::string repo = WithHsc(dir);
  auto out_of_range =
      RunStarlog({"pack", repo, "exposure,detector", "instrument=HSC,exposure=1,detector=200"});
  CHECK(out_of_range.exit_code == 1);
  CHECK(Contains(out_of_range.err, "outside 0..199"));
  std::ofstream(dir.Sub("j.csv")) << "instrument,detector_max\nDECam,70\n";
  REQUIRE(
      RunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("j.csv")}).exit_code ==
      0);
  auto mixed =
      RunStarlog({"pack", repo, "exposure,detector", "instrument=HSC,exposure=1,detector=2",
                  "instrument=DECam,exposure=1,detector=2"});
  CHECK(mixed.exit_code == 1);
  CHECK(Contains(mixed.err, "instrument HSC only"));
  CHECK(RunStarlog({"unpack", repo, "exposure,detector", "5"}).exit_code == 2);
  CHECK(RunStarlog({"unpack", repo, "exposure,detector", "x", "--fixed", "instrument=HSC"})
            .exit_code == 2);
  auto too_big =
      RunStarlog({"unpack", repo, "exposure,detector", "4294960000", "--fixed", "instrument=HSC"});
  CHECK(too_big.exit_code == 1);
  CHECK(Contains(too_big.err, "larger than any data ID"));
  CHECK(RunStarlog({"pack", repo, "exposure,detector"}).exit_code == 2);
}
