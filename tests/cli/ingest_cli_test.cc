// ingest and fsck as an operator runs them, on FITS files cfitsio writes.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;
namespace fs = std::filesystem;

TEST_CASE(
    "ingest reports what it skipped and exits 1; fsck finds a lost file and --fix detaches it",
    "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync"}).exit_code == 0);
  REQUIRE(RunStarlog({"register-dataset-type", repo, "raw", "Exposure", "instrument", "exposure",
                      "detector"})
              .exit_code == 0);
  std::ofstream(dir.Sub("cam.cfg")) << "instrument Cam\nmatch INSTRUME Cam\nvalue exposure EXPNUM\n"
                                       "value detector CCDNUM\nvalue physical_filter FILTER\n"
                                       "value band FILTER lower\nday_obs DATE-OBS -12\n";
  fs::create_directories(dir.Sub("in"));
  for (int d = 0; d < 3; ++d) {
    starlog::testutil::WriteFits(
        dir.Sub("in/c" + std::to_string(d) + ".fits"),
        starlog::testutil::RawCards("Cam", 7, d, "R", "science", "2024-05-01T01:00:00", 5));
  }
  std::ofstream(dir.Sub("in/readme.txt")) << "hello";
  const std::vector<std::string> ingest = {
      "ingest", repo, dir.Sub("in"), "--run", "Cam/raw/all", "--translator", dir.Sub("cam.cfg")};
  auto r = RunStarlog(ingest);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "ingested 3 of 4 files into Cam/raw/all"));
  CHECK(Contains(r.out, "readme.txt"));
  CHECK(Contains(r.err, "1 files were skipped"));
  auto again = RunStarlog({"ingest", repo, dir.Sub("in/c0.fits"), "--run", "Cam/raw/all",
                           "--translator", dir.Sub("cam.cfg"), "--json"});
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.out, "\"ingested\":0"));
  CHECK(Contains(again.out, "\"already_present\":1"));
  auto bad_mode = RunStarlog({"ingest", repo, dir.Sub("in/c0.fits"), "--run", "Cam/raw/all",
                              "--translator", dir.Sub("cam.cfg"), "--transfer", "teleport"});
  CHECK(bad_mode.exit_code == 2);
  CHECK(Contains(bad_mode.err, "unknown transfer mode 'teleport'"));

  auto clean = RunStarlog({"fsck", repo});
  CHECK(clean.exit_code == 0);
  CHECK(Contains(clean.out, "checked 3 files"));
  auto listed =
      RunStarlog({"query-datasets", repo, "raw", "--collections", "Cam/raw/all", "--json"});
  const size_t at = listed.out.find("\"path\":\"");
  REQUIRE(at != std::string::npos);
  const std::string path = listed.out.substr(at + 8, listed.out.find('"', at + 8) - at - 8);
  fs::remove(repo + "/" + path);
  auto lost = RunStarlog({"fsck", repo});
  CHECK(lost.exit_code == 1);
  CHECK(Contains(lost.out, "missing"));
  CHECK(Contains(lost.out, path));
  auto fixed = RunStarlog({"fsck", repo, "--fix"});
  CHECK(Contains(fixed.out, "detached the files of datasets whose files are missing"));
  CHECK(RunStarlog({"fsck", repo}).exit_code == 0);
}

TEST_CASE("ingest --instrument takes a built-in translator; without one the built-ins match",
          "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync"}).exit_code == 0);
  REQUIRE(RunStarlog({"register-dataset-type", repo, "raw", "Exposure", "instrument", "exposure",
                      "detector"})
              .exit_code == 0);
  using starlog::testutil::Card;
  const auto sdss = [](long long camcol, const char* object) {
    return std::vector<Card>{{"DATE-OBS", std::string("2006-09-20")},
                             {"TAIHMS", std::string("06:01:22.73")},
                             {"ORIGIN", std::string("SDSS")},
                             {"TELESCOP", std::string("2.5m")},
                             {"CCDMODE", std::string("DRIFT")},
                             {"RUN", 6377LL},
                             {"FRAME", 407LL},
                             {"FLAVOR", std::string("science")},
                             {"OBJECT", std::string(object)},
                             {"EXPTIME", 53.907456},
                             {"FILTER", std::string("g")},
                             {"CAMCOL", camcol}};
  };
  starlog::testutil::WriteFits(dir.Sub("g4.fits"), sdss(4, "82 S"));
  auto r = RunStarlog(
      {"ingest", repo, dir.Sub("g4.fits"), "--run", "SDSS/raw/all", "--instrument", "sdss"});
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "ingested 1 of 1 files"));
  auto unknown = RunStarlog(
      {"ingest", repo, dir.Sub("g4.fits"), "--run", "SDSS/raw/all", "--instrument", "WFPC2"});
  CHECK(unknown.exit_code == 2);
  CHECK(Contains(unknown.err, "no built-in translator for 'WFPC2'"));
  // Camera column 5 of the same run: SDSS's observation id names the column,
  // so the run's exposure record differs: a conflict, unless --update-records.
  starlog::testutil::WriteFits(dir.Sub("g5.fits"), sdss(5, "82 N"));
  auto conflict = RunStarlog({"ingest", repo, dir.Sub("g5.fits"), "--run", "SDSS/raw/all"});
  INFO(conflict.out);
  CHECK(conflict.exit_code == 1);
  CHECK(Contains(conflict.out, "obs_id '6377 4 g 407' there, '6377 5 g 407' here"));
  auto update =
      RunStarlog({"ingest", repo, dir.Sub("g5.fits"), "--run", "SDSS/raw/all", "--update-records"});
  INFO(update.out + update.err);
  CHECK(update.exit_code == 0);
  CHECK(Contains(update.out, "ingested 1 of 1 files"));
  CHECK(RunStarlog({"fsck", repo}).exit_code == 0);
}
