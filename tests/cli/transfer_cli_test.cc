// starlog transfer between two real repositories, as an operator runs it:
// raws ingested from FITS files cfitsio writes and certified biases go from
// a site to a new repository with no bundle on disk, and whatever is wrong
// on the way changes nothing.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::HeadOf;
using starlog::testutil::MustRunStarlog;
using starlog::testutil::RunStarlog;
namespace fs = std::filesystem;

namespace {

// A site: Cam exposure 7's raws (detectors 0-2) ingested from FITS files
// into Cam/raw/all, and biases of detectors 0 and 1 with files in
// Cam/calib/bias, certified into Cam/calib/DM-9 for the two halves of 2024,
// with the chain Cam/calib over it. And a new repository to receive them.
struct Sites {
  Sites() {
    MustRunStarlog({"create", site, "--no-policy", "--no-sync"});
    MustRunStarlog({"create", dest, "--no-policy", "--no-sync"});
    MustRunStarlog(
        {"register-dataset-type", site, "raw", "Exposure", "instrument", "exposure", "detector"});
    std::ofstream(dir.Sub("cam.cfg"))
        << "instrument Cam\nmatch INSTRUME Cam\nvalue exposure EXPNUM\nvalue detector CCDNUM\n"
           "value physical_filter FILTER\nvalue band FILTER lower\nday_obs DATE-OBS -12\n";
    fs::create_directories(dir.Sub("in"));
    for (int d = 0; d < 3; ++d) {
      starlog::testutil::WriteFits(
          dir.Sub("in/c" + std::to_string(d) + ".fits"),
          starlog::testutil::RawCards("Cam", 7, d, "R", "science", "2024-05-01T01:00:00", 5));
    }
    MustRunStarlog({"ingest", site, dir.Sub("in"), "--run", "Cam/raw/all", "--translator",
                    dir.Sub("cam.cfg"), "--no-sync"});
    MustRunStarlog({"register-dataset-type", site, "bias", "ExposureF", "instrument", "detector",
                    "--is-calibration"});
    MustRunStarlog({"create-collection", site, "Cam/calib/bias", "--type", "RUN"});
    fs::create_directories(site + "/Cam/calib/bias");
    std::ofstream(site + "/Cam/calib/bias/0.fits") << "bias of detector 0";
    std::ofstream(site + "/Cam/calib/bias/1.fits") << "bias of detector 1";
    std::ofstream(dir.Sub("bias.csv"))
        << "instrument,detector,path\nCam,0,Cam/calib/bias/0.fits\nCam,1,Cam/calib/bias/1.fits\n";
    MustRunStarlog({"register-datasets", site, "bias", "Cam/calib/bias", dir.Sub("bias.csv")});
    MustRunStarlog({"create-collection", site, "Cam/calib/DM-9", "--type", "CALIBRATION"});
    MustRunStarlog({"certify-calibrations", site, "Cam/calib/bias", "Cam/calib/DM-9", "bias",
                    "--where", "detector = 0", "--begin-date", "2024-01-01", "--end-date",
                    "2024-07-01"});
    MustRunStarlog({"certify-calibrations", site, "Cam/calib/bias", "Cam/calib/DM-9", "bias",
                    "--where", "detector = 1", "--begin-date", "2024-07-01", "--end-date",
                    "2025-01-01"});
    MustRunStarlog({"collection-chain", site, "Cam/calib", "Cam/calib/DM-9"});
  }

  // `starlog transfer SITE DEST raw bias --collections Cam/raw/all,Cam/calib ...`.
  std::vector<std::string> Transfer(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"transfer",
                                     site,
                                     dest,
                                     "raw",
                                     "bias",
                                     "--collections",
                                     "Cam/raw/all,Cam/calib",
                                     "--register-dataset-types",
                                     "--no-sync"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // What `query-datasets` prints for "repo", every match of both types.
  static std::string Datasets(const std::string& repo) {
    return MustRunStarlog({"query-datasets", repo, "raw", "bias", "--collections",
                           "Cam/raw/all,Cam/calib", "--find-all", "--json"})
        .out;
  }

  static std::string Bias(const std::string& repo, const std::string& detector,
                          const std::string& time) {
    return MustRunStarlog({"find-dataset", repo, "bias", "--data-id",
                           "instrument=Cam,detector=" + detector, "--collections", "Cam/calib",
                           "--time", time})
        .out;
  }

  starlog::testutil::TempDir dir;
  const std::string site = dir.Sub("site");
  const std::string dest = dir.Sub("dest");
};

}  // namespace

TEST_CASE(
    "transfer: a run's raws and certified biases are found in the second repository with the "
    "same data IDs, files and validity, and a second transfer adds nothing",
    "[cli][transfer-datasets]") {
  Sites sites;
  const uint64_t empty = HeadOf(sites.dest);
  auto dry = MustRunStarlog(sites.Transfer({"--dry-run"}));
  INFO(dry.out);
  CHECK(Contains(dry.out, "would transfer 5 datasets (5 files)"));
  CHECK(Contains(dry.out, "certified: 2 to add"));
  CHECK(Contains(dry.out, "chains: 1 to add"));
  CHECK(HeadOf(sites.dest) == empty);
  CHECK_FALSE(fs::exists(sites.dest + "/Cam"));

  auto moved = MustRunStarlog(sites.Transfer());
  INFO(moved.out);
  CHECK(Contains(moved.out, "transferred 5 datasets (5 files)"));
  CHECK(Contains(moved.out, "dataset types: 2 added"));
  // Same ids, data IDs, runs, files (path, size, checksum) and validity.
  CHECK(Sites::Datasets(sites.dest) == Sites::Datasets(sites.site));
  for (const auto& [detector, time] : std::vector<std::pair<std::string, std::string>>{
           {"0", "2024-03-01T00:00:00"}, {"1", "2024-09-01T00:00:00"}}) {
    CHECK(Sites::Bias(sites.dest, detector, time) == Sites::Bias(sites.site, detector, time));
  }
  CHECK(Contains(Sites::Bias(sites.dest, "1", "2024-09-01T00:00:00"),
                 "[2024-07-01T00:00:00, 2025-01-01T00:00:00)"));
  CHECK(RunStarlog({"fsck", sites.dest}).exit_code == 0);
  CHECK(MustRunStarlog({"query-dimension-records", sites.dest, "exposure"}).out ==
        MustRunStarlog({"query-dimension-records", sites.site, "exposure"}).out);

  const uint64_t head = HeadOf(sites.dest);
  // Again, as a butler user types it.
  auto again = MustRunStarlog({"transfer-datasets", sites.site, sites.dest, "--dataset-type", "b*",
                               "--collections", "Cam/raw/all,Cam/calib", "--register-dataset-types",
                               "-t", "copy"});
  INFO(again.out);
  CHECK(
      Contains(again.out,
               "transferred 0 datasets (0 files); 0 dimension records inserted; 2 already there"));
  CHECK(Contains(again.out, "certified: 0 added, 2 already there"));
  CHECK(HeadOf(sites.dest) == head);
}

TEST_CASE("transfer of a tampered file, or onto a path out of the root, changes nothing",
          "[cli][transfer-datasets]") {
  Sites sites;
  const uint64_t empty = HeadOf(sites.dest);
  // The bias file rewritten after it was registered: same size, other bytes.
  std::ofstream(sites.site + "/Cam/calib/bias/1.fits") << "bias of detector 7";
  auto tampered = RunStarlog(sites.Transfer());
  INFO(tampered.err);
  CHECK(tampered.exit_code == 1);
  CHECK(Contains(tampered.err,
                 "source file Cam/calib/bias/1.fits does not match its size and "
                 "checksum; nothing was transferred"));
  CHECK(RunStarlog(sites.Transfer({"--dry-run"})).exit_code == 1);
  CHECK(HeadOf(sites.dest) == empty);
  CHECK_FALSE(fs::exists(sites.dest + "/Cam"));
  std::ofstream(sites.site + "/Cam/calib/bias/1.fits") << "bias of detector 1";

  // DEST's Cam folder leads out of its root.
  const std::string outside = sites.dir.Sub("outside");
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, sites.dest + "/Cam");
  auto escape = RunStarlog(sites.Transfer());
  INFO(escape.err);
  CHECK(escape.exit_code == 1);
  CHECK(Contains(escape.err, "outside"));
  CHECK(fs::is_empty(outside));
  CHECK(HeadOf(sites.dest) == empty);

  // What the command line gets wrong is a usage error.
  CHECK(RunStarlog(sites.Transfer({"--transfer", "move"})).exit_code == 2);
  CHECK(RunStarlog({"transfer", sites.site, sites.dest, "raw"}).exit_code == 2);
  CHECK(RunStarlog(sites.Transfer({"--find-first", "--find-all"})).exit_code == 2);
  // The dataset types must be in DEST unless --register-dataset-types.
  auto unregistered = RunStarlog(
      {"transfer", sites.site, sites.dest, "raw", "--collections", "Cam/raw/all", "--no-sync"});
  CHECK(unregistered.exit_code == 1);
  CHECK(Contains(unregistered.err, "--register-dataset-types"));
  CHECK(HeadOf(sites.dest) == empty);
}

TEST_CASE("transfer takes every match along the collections unless --find-first",
          "[cli][transfer-datasets]") {
  Sites sites;
  // Detector 0's bias again, in a second RUN searched first.
  MustRunStarlog({"create-collection", sites.site, "Cam/calib/bias2", "--type", "RUN"});
  std::ofstream(sites.site + "/Cam/calib/bias/0b.fits") << "newer bias of detector 0";
  std::ofstream(sites.dir.Sub("b2.csv"))
      << "instrument,detector,path\nCam,0,Cam/calib/bias/0b.fits\n";
  MustRunStarlog(
      {"register-datasets", sites.site, "bias", "Cam/calib/bias2", sites.dir.Sub("b2.csv")});
  const std::vector<std::string> transfer = {"transfer",
                                             sites.site,
                                             sites.dest,
                                             "bias",
                                             "--collections",
                                             "Cam/calib/bias2,Cam/calib/bias",
                                             "--register-dataset-types",
                                             "--dry-run"};
  CHECK(Contains(MustRunStarlog(transfer).out, "would transfer 3 datasets (3 files)"));
  std::vector<std::string> first = transfer;
  first.push_back("--find-first");
  CHECK(Contains(MustRunStarlog(first).out, "would transfer 2 datasets (2 files)"));
}
