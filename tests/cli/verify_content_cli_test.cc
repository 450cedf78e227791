// `starlog verify --content`: two repositories of different lineage compared
// by content, through the real command.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::CliResult;
using starlog::testutil::Contains;
using starlog::testutil::MustRunStarlog;
using starlog::testutil::RunStarlog;

namespace {

// A repository with detectors "detectors" inserted and a bias registered
// for each, in the order given, one command each: the same set in another
// order makes another log with the same content.
std::string Build(const starlog::testutil::TempDir& dir, const std::string& name,
                  const std::vector<int>& detectors) {
  const std::string repo = dir.Sub(name);
  MustRunStarlog({"create", repo, "--no-policy", "--no-sync"});
  std::ofstream(dir.Sub("i.csv")) << "instrument,detector_max\nHSC,111\n";
  MustRunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
  MustRunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  MustRunStarlog({"create-collection", repo, "calib/run"});
  for (int d : detectors) {
    const std::string csv = dir.Sub(name + std::to_string(d) + ".csv");
    std::ofstream(csv) << "instrument,detector\nHSC," << d << "\n";
    MustRunStarlog({"insert-dimension-records", repo, "detector", csv});
    MustRunStarlog(
        {"register-datasets", repo, "bias", "calib/run", csv, "--id-mode", "datatype-run"});
  }
  return repo;
}

}  // namespace

TEST_CASE("verify --content: repositories built apart agree, or name what differs",
          "[cli][verify]") {
  starlog::testutil::TempDir dir;
  const std::string a = Build(dir, "a", {0, 1, 2});
  const std::string b = Build(dir, "b", {2, 0, 1});

  // Their logs have nothing in common: the plain verify refuses.
  CliResult logs = RunStarlog({"verify", a, "--against", b});
  CHECK(logs.exit_code == 1);
  CHECK(Contains(logs.err, "--content compares repositories of different lineage"));

  CliResult same = RunStarlog({"verify", a, "--content", "--against", b});
  INFO(same.err);
  CHECK(same.exit_code == 0);
  CHECK(Contains(same.out, "contents agree"));

  std::ofstream(dir.Sub("d3.csv")) << "instrument,detector\nHSC,3\n";
  MustRunStarlog({"insert-dimension-records", b, "detector", dir.Sub("d3.csv")});
  MustRunStarlog({"register-datasets", b, "bias", "calib/run", dir.Sub("d3.csv"), "--id-mode",
                  "datatype-run"});
  CliResult differ = RunStarlog({"verify", a, "--content", "--against", b});
  INFO(differ.out);
  CHECK(differ.exit_code == 1);
  CHECK(Contains(differ.out, "collection 'calib/run' bias: 3 entries here, 4 there"));
  CHECK(Contains(differ.out, "only in the other: RUN 'calib/run' bias {"));
  CHECK(Contains(differ.out, "{detector=3, instrument=HSC}: dataset "));
  CHECK(Contains(differ.out, "only in the other: record 'detector'"));

  CliResult json = RunStarlog({"verify", a, "--content", "--against", b, "--json", "--limit", "1"});
  CHECK(json.exit_code == 1);
  CHECK(Contains(json.out, "\"agree\":false"));
  CHECK(Contains(json.out, "\"differences\":2"));
  CHECK(Contains(json.out, "\"kind\":\"RUN\""));
  CHECK_FALSE(Contains(json.out, "\"kind\":\"record\""));  // Past the limit, but counted.

  CHECK(RunStarlog({"verify", a, "--content"}).exit_code == 2);
  CHECK(RunStarlog({"verify", a, "--content", "--against", b, "--limit", "x"}).exit_code == 2);
  CliResult peer = RunStarlog({"verify", a, "--content", "--against", "127.0.0.1:1"});
  CHECK(peer.exit_code != 0);
  CHECK(Contains(peer.err, "not a peer"));
}
