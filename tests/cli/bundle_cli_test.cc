#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::CliResult;
using starlog::testutil::Contains;
using starlog::testutil::HeadOf;
using starlog::testutil::MustRunStarlog;
using starlog::testutil::RunStarlog;

namespace {

// A site's calibrations: biases of two RUNs (detector 0 and 1 with files,
// detector 2 without), certified into HSC/calib/DM-3 for two halves of
// 2024, the chain HSC/calib naming it, and a TAGGED pick.
std::string MakeCalibSite(const starlog::testutil::TempDir& dir) {
  const std::string repo = starlog::testutil::CreateHscRepository(
      dir.path(), "instrument,detector\nHSC,0\nHSC,1\nHSC,2\n");
  MustRunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  for (const char* run : {"HSC/calib/bias/1", "HSC/calib/bias/2"}) {
    MustRunStarlog({"create-collection", repo, run, "--type", "RUN", "--no-sync"});
    std::filesystem::create_directories(repo + "/" + run);
    std::ofstream(repo + "/" + run + "/0.fits") << "bias 0 of " << run;
    std::ofstream(repo + "/" + run + "/1.fits") << "bias 1 of " << run;
    std::ofstream(dir.Sub("bias.csv")) << "instrument,detector,path\nHSC,0," << run
                                       << "/0.fits\nHSC,1," << run << "/1.fits\nHSC,2,\n";
    MustRunStarlog({"register-datasets", repo, "bias", run, dir.Sub("bias.csv"), "--no-sync"});
  }
  MustRunStarlog({"create-collection", repo, "HSC/calib/DM-3", "--type", "CALIBRATION"});
  MustRunStarlog({"certify-calibrations", repo, "HSC/calib/bias/1", "HSC/calib/DM-3", "bias",
                  "--begin-date", "2024-01-01", "--end-date", "2024-07-01"});
  MustRunStarlog({"certify-calibrations", repo, "HSC/calib/bias/2", "HSC/calib/DM-3", "bias",
                  "--begin-date", "2024-07-01", "--end-date", "2025-01-01"});
  MustRunStarlog({"collection-chain", repo, "HSC/calib", "HSC/calib/DM-3"});
  MustRunStarlog({"create-collection", repo, "HSC/calib/picked", "--type", "TAGGED"});
  MustRunStarlog({"associate", repo, "HSC/calib/picked", "--dataset-type", "bias", "--collections",
                  "HSC/calib/bias/2", "--where", "detector = 1"});
  MustRunStarlog({"collection-chain", repo, "HSC/defaults", "HSC/calib/picked", "HSC/calib"});
  return repo;
}

std::string Found(const std::string& repo, const std::string& detector, const std::string& time) {
  return MustRunStarlog({"find-dataset", repo, "bias", "--data-id",
                         "instrument=HSC,detector=" + detector, "--collections", "HSC/calib",
                         "--time", time})
      .out;
}

}  // namespace

TEST_CASE(
    "export-calibs: a site's calibrations, with their validity, RUNs and chain, are found at the "
    "same times in a second repository",
    "[cli][bundle]") {
  starlog::testutil::TempDir site_dir, summit_dir;
  const std::string site = MakeCalibSite(site_dir);
  const std::string bundle = site_dir.Sub("calibs");
  auto exported =
      MustRunStarlog({"export", site, "bias", "--collections", "HSC/defaults", "--to", bundle});
  INFO(exported.out);
  CHECK(Contains(exported.out, "exported 6 datasets (4 files"));
  CHECK(Contains(exported.out, "6 collections and 7 memberships"));

  const std::string summit = summit_dir.Sub("repo");
  MustRunStarlog({"create", summit, "--no-policy"});
  const uint64_t empty = HeadOf(summit);
  auto dry = MustRunStarlog({"import", summit, bundle, "--dry-run"});
  INFO(dry.out);
  CHECK(Contains(dry.out, "would import 6 datasets (4 files)"));
  CHECK(Contains(dry.out, "collections: 6 to add, 0 already there"));
  CHECK(Contains(dry.out, "certified: 6 to add"));
  CHECK(Contains(dry.out, "tagged: 1 to add"));
  CHECK(HeadOf(summit) == empty);
  CHECK_FALSE(std::filesystem::exists(summit + "/HSC"));

  auto imported = MustRunStarlog({"import", summit, bundle});
  INFO(imported.out);
  CHECK(Contains(imported.out, "imported 6 datasets (4 files)"));
  for (const auto& [detector, time] :
       std::vector<std::pair<std::string, std::string>>{{"0", "2024-03-01T00:00:00"},
                                                        {"1", "2024-09-01T00:00:00"},
                                                        {"2", "2024-12-31T23:00:00"}}) {
    CHECK(Found(summit, detector, time) == Found(site, detector, time));
  }
  CHECK(Contains(Found(summit, "0", "2024-03-01T00:00:00"),
                 "[2024-01-01T00:00:00, 2024-07-01T00:00:00)"));
  for (const char* query : {"HSC/calib", "HSC/calib/picked", "HSC/defaults"}) {
    std::vector<std::string> args = {"query-datasets", "",      "bias", "--collections", query,
                                     "--find-all",     "--json"};
    args[1] = site;
    const std::string there = MustRunStarlog(args).out;
    args[1] = summit;
    CHECK(MustRunStarlog(args).out == there);
  }
  CHECK(MustRunStarlog({"query-collections", summit, "HSC/*", "--chains", "tree"}).out ==
        MustRunStarlog({"query-collections", site, "HSC/*", "--chains", "tree"}).out);
  CHECK(RunStarlog({"find-dataset", summit, "bias", "--data-id", "instrument=HSC,detector=0",
                    "--collections", "HSC/calib", "--time", "2025-02-01T00:00:00"})
            .exit_code == 1);

  // Again: nothing added, everything already there.
  const uint64_t head = HeadOf(summit);
  auto again = MustRunStarlog({"import", summit, bundle});
  INFO(again.out);
  CHECK(Contains(again.out,
                 "imported 0 datasets (0 files); 0 dimension records inserted; 6 already there"));
  CHECK(Contains(again.out, "certified: 0 added, 6 already there"));
  CHECK(HeadOf(summit) == head);
}

TEST_CASE(
    "import of a bundle contradicting the repository is refused, naming what, changing nothing",
    "[cli][bundle]") {
  starlog::testutil::TempDir site_dir, other_dir;
  const std::string site = MakeCalibSite(site_dir);
  const std::string bundle = site_dir.Sub("calibs");
  MustRunStarlog({"export", site, "bias", "--collections", "HSC/calib", "--to", bundle});

  // The chain defined otherwise.
  const std::string other = starlog::testutil::CreateHscRepository(
      other_dir.path(), "instrument,detector\nHSC,0\nHSC,1\nHSC,2\n");
  MustRunStarlog({"create-collection", other, "HSC/elsewhere", "--type", "RUN"});
  MustRunStarlog({"collection-chain", other, "HSC/calib", "HSC/elsewhere"});
  uint64_t head = HeadOf(other);
  auto chain = RunStarlog({"import", other, bundle});
  CHECK(chain.exit_code == 1);
  CHECK(Contains(chain.err, "chain 'HSC/calib' is defined differently"));
  CHECK(RunStarlog({"import", other, bundle, "--dry-run"}).exit_code == 1);
  CHECK(HeadOf(other) == head);
  CHECK_FALSE(std::filesystem::exists(other + "/HSC/calib/bias"));

  // A certification of another bias overlapping one of the bundle's.
  MustRunStarlog({"create-collection", other, "HSC/calib/DM-3", "--type", "CALIBRATION"});
  MustRunStarlog({"collection-chain", other, "HSC/calib", "HSC/calib/DM-3"});
  MustRunStarlog({"register-dataset-type", other, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  std::ofstream(other_dir.Sub("b.csv")) << "instrument,detector\nHSC,1\n";
  MustRunStarlog({"register-datasets", other, "bias", "HSC/elsewhere", other_dir.Sub("b.csv")});
  MustRunStarlog({"certify-calibrations", other, "HSC/elsewhere", "HSC/calib/DM-3", "bias",
                  "--begin-date", "2024-12-01", "--end-date", "2025-06-01"});
  head = HeadOf(other);
  auto overlap = RunStarlog({"import", other, bundle});
  INFO(overlap.err);
  CHECK(overlap.exit_code == 1);
  CHECK(Contains(overlap.err, "in 'HSC/calib/DM-3' for"));
  CHECK(Contains(overlap.err, "overlaps dataset"));
  CHECK(HeadOf(other) == head);
}

TEST_CASE("An export whose query fails leaves no folder in the way of the corrected one",
          "[cli][bundle]") {
  starlog::testutil::TempDir site_dir;
  const std::string site = MakeCalibSite(site_dir);
  const std::string bundle = site_dir.Sub("calibs");
  auto refused = RunStarlog({"export", site, "bias", "--collections", "HSC/defaults", "--where",
                             "foo.bar = 1", "--to", bundle});
  CHECK(refused.exit_code != 0);
  CHECK(Contains(refused.err, "foo.bar"));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(bundle) / "files"));
  auto exported =
      MustRunStarlog({"export", site, "bias", "--collections", "HSC/defaults", "--to", bundle});
  CHECK(Contains(exported.out, "exported 6 datasets"));
}
