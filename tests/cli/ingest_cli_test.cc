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

namespace {

// A new repository in "dir" with the raw dataset type; its path.
std::string RawRepo(const starlog::testutil::TempDir& dir) {
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-sync"}).exit_code == 0);
  REQUIRE(RunStarlog({"register-dataset-type", repo, "raw", "Exposure", "instrument", "exposure",
                      "detector"})
              .exit_code == 0);
  return repo;
}

// A translator for Cam's raws, one dataset per HDU with "per_hdu".
std::string CamTranslator(bool per_hdu) {
  return std::string("instrument Cam\nmatch INSTRUME Cam\n") +
         (per_hdu ? "per_hdu inherit\n" : "") +
         "value exposure EXPNUM\nvalue detector CCDNUM\nvalue physical_filter FILTER\n"
         "day_obs DATE-OBS -12\n";
}

}  // namespace

TEST_CASE("A file with a dataset per HDU shows each HDU, and outlives the purge of one of them",
          "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = RawRepo(dir);
  std::ofstream(dir.Sub("mef.cfg")) << CamTranslator(true);
  starlog::testutil::WriteMultiExtensionFits(
      dir.Sub("mef.fits"),
      starlog::testutil::RawCards("Cam", 7, 0, "R", "science", "2024-05-01T01:00:00", 5),
      {{{"CCDNUM", 1LL}}, {{"CCDNUM", 2LL}}});
  auto ingested = RunStarlog({"ingest", repo, dir.Sub("mef.fits"), "--run", "Cam/raw/all",
                              "--translator", dir.Sub("mef.cfg"), "--transfer", "direct"});
  CHECK(ingested.exit_code == 1);  // direct wants the file under the root
  fs::copy_file(dir.Sub("mef.fits"), repo + "/mef.fits");
  ingested = RunStarlog({"ingest", repo, repo + "/mef.fits", "--run", "Cam/raw/all", "--translator",
                         dir.Sub("mef.cfg"), "--transfer", "direct"});
  INFO(ingested.err);
  REQUIRE(ingested.exit_code == 0);
  CHECK(Contains(ingested.out, "ingested 1 of 1 files into Cam/raw/all (direct) as 2 datasets"));
  auto table = RunStarlog({"query-datasets", repo, "raw", "--collections", "Cam/raw/all"});
  CHECK(Contains(table.out, "mef.fits[1]"));
  CHECK(Contains(table.out, "mef.fits[2]"));
  auto json = RunStarlog({"find-dataset", repo, "raw", "--collections", "Cam/raw/all", "--data-id",
                          "instrument=Cam,exposure=7,detector=2", "--json"});
  CHECK(Contains(json.out, "\"path\":\"mef.fits\""));
  CHECK(Contains(json.out, "\"hdu\":2"));
  auto log = RunStarlog({"log", repo, "--json"});
  CHECK(Contains(log.out, "\"hdu\":1"));
  auto purged = RunStarlog({"prune-datasets", repo, "--dataset-type", "raw", "--collections",
                            "Cam/raw/all", "--where", "detector = 1", "--purge", "--no-confirm"});
  INFO(purged.err);
  CHECK(purged.exit_code == 0);
  CHECK(fs::exists(repo + "/mef.fits"));
  CHECK(RunStarlog({"fsck", repo}).exit_code == 0);
}

TEST_CASE("fsck --ingest-unregistered ingests unowned files in place, the rest stay listed",
          "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = RawRepo(dir);
  std::ofstream(dir.Sub("cam.cfg")) << CamTranslator(false);
  fs::create_directories(repo + "/night1");
  for (int d = 0; d < 2; ++d) {
    starlog::testutil::WriteFits(
        repo + "/night1/c" + std::to_string(d) + ".fits",
        starlog::testutil::RawCards("Cam", 7, d, "R", "science", "2024-05-01T01:00:00", 5));
  }
  starlog::testutil::WriteFits(
      repo + "/night1/other.fits",
      starlog::testutil::RawCards("Other", 7, 0, "R", "science", "2024-05-01T01:00:00", 5));
  std::ofstream(repo + "/night1/readme.txt") << "hello";
  // A copy cut short with its header whole, as an interrupted ingest leaves
  // it: never a dataset's file, so neither ingested nor moved.
  const std::string partial = repo + "/night1/c2.fits.starlog-partial";
  starlog::testutil::WriteFits(
      partial, starlog::testutil::RawCards("Cam", 7, 2, "R", "science", "2024-05-01T01:00:00", 5));

  auto listed = RunStarlog({"fsck", repo});
  CHECK(listed.exit_code == 1);
  CHECK(Contains(listed.out, "not owned by any dataset: night1/c0.fits"));
  // The translator options belong to --ingest-unregistered; alone, nothing happens.
  auto stray = RunStarlog({"fsck", repo, "--run", "Cam/raw/all"});
  CHECK(stray.exit_code == 2);
  CHECK(Contains(stray.err, "--run goes with --ingest-unregistered"));
  auto no_run = RunStarlog({"fsck", repo, "--ingest-unregistered"});
  CHECK(no_run.exit_code == 2);
  CHECK(Contains(no_run.err, "give --run RUN"));

  auto ingested = RunStarlog({"fsck", repo, "--ingest-unregistered", "--run", "Cam/raw/all",
                              "--translator", dir.Sub("cam.cfg"), "--misc", repo + "/misc"});
  INFO(ingested.err);
  CHECK(ingested.exit_code == 1);  // other.fits and readme.txt are still no dataset's.
  CHECK(Contains(ingested.out, "ingested 2 of 5 unregistered files in place"));
  CHECK_FALSE(Contains(ingested.out, "not owned by any dataset: night1/c0.fits"));
  CHECK(fs::exists(repo + "/night1/c0.fits"));  // In place.
  CHECK(Contains(ingested.out, "not ingested " + partial + ": a leftover of an interrupted copy"));
  CHECK(fs::exists(partial));
  // Neither is recognised: both moved to --misc, as ingest does, and listed there.
  CHECK(fs::exists(repo + "/misc/other.fits"));
  CHECK(fs::exists(repo + "/misc/readme.txt"));
  auto datasets =
      RunStarlog({"query-datasets", repo, "raw", "--collections", "Cam/raw/all", "--json"});
  CHECK(Contains(datasets.out, "\"path\":\"night1/c1.fits\""));
  CHECK_FALSE(Contains(datasets.out, "c2.fits"));
  auto json = RunStarlog({"fsck", repo, "--ingest-unregistered", "--run", "Cam/raw/all",
                          "--translator", dir.Sub("cam.cfg"), "--json"});
  CHECK(Contains(json.out, "\"ingested\":{\"files\":3,\"ingested\":0"));
  CHECK(Contains(json.out,
                 "\"unowned\":[\"misc/other.fits\",\"misc/readme.txt\","
                 "\"night1/c2.fits.starlog-partial\"]"));
}

TEST_CASE(
    "ingest reports what it skipped and exits 1, fsck finds a lost file and --fix detaches it",
    "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = RawRepo(dir);
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

TEST_CASE("ingest --instrument takes a built-in translator, without one the built-ins match",
          "[cli][ingest]") {
  starlog::testutil::TempDir dir;
  const std::string repo = RawRepo(dir);
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
