// starlog transfer into a repository its service owns: the files go to the
// service as descriptors, as import's do, checked here against the source
// first.

#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/service/service_fixture.h"
#include "tests/testutil/temp_dir.h"

namespace fs = std::filesystem;
using starlog::testutil::Contains;
using starlog::testutil::MustRunStarlog;
using starlog::testutil::RunStarlog;
using starlog::testutil::ServedRepository;

TEST_CASE("transfer into a served repository goes through its service, all or nothing",
          "[service][transfer-datasets]") {
  starlog::testutil::TempDir dir;
  const std::string site =
      starlog::testutil::CreateHscRepository(dir.path(), "instrument,detector\nHSC,0\nHSC,1\n");
  MustRunStarlog({"register-dataset-type", site, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  MustRunStarlog({"create-collection", site, "HSC/calib/bias", "--type", "RUN"});
  fs::create_directories(site + "/HSC/calib/bias");
  std::ofstream(site + "/HSC/calib/bias/0.fits") << "bias 0";
  std::ofstream(site + "/HSC/calib/bias/1.fits") << "bias 1";
  std::ofstream(dir.Sub("b.csv"))
      << "instrument,detector,path\nHSC,0,HSC/calib/bias/0.fits\nHSC,1,HSC/calib/bias/1.fits\n";
  MustRunStarlog({"register-datasets", site, "bias", "HSC/calib/bias", dir.Sub("b.csv")});

  ServedRepository served;
  const std::vector<std::string> transfer = {"transfer",
                                             site,
                                             served.root(),
                                             "bias",
                                             "--collections",
                                             "HSC/calib/bias",
                                             "--register-dataset-types"};
  // A file that does not match: refused here, before the service sees it.
  std::ofstream(site + "/HSC/calib/bias/1.fits") << "bias 7";
  const uint64_t empty = served.OpenReadOnly()->head().sequence;
  auto refused = RunStarlog(transfer);
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "HSC/calib/bias/1.fits does not match"));
  CHECK(served.OpenReadOnly()->head().sequence == empty);
  CHECK_FALSE(fs::exists(served.root() + "/HSC"));
  std::ofstream(site + "/HSC/calib/bias/1.fits") << "bias 1";

  auto moved = RunStarlog(transfer);
  INFO(moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK(Contains(moved.out, "transferred 2 datasets (2 files)"));
  auto store = served.OpenReadOnly();
  // The service wrote it, as the OS user the socket names (the write lock
  // is the service's: a local writer would wait for it instead).
  CHECK(served.EventAt(store->head().sequence).actor == ::getpwuid(::geteuid())->pw_name);
  CHECK(RunStarlog({"fsck", served.root()}).exit_code == 0);
  const std::string listed = MustRunStarlog({"query-datasets", served.root(), "bias",
                                             "--collections", "HSC/calib/bias", "--json"})
                                 .out;
  CHECK(listed == MustRunStarlog(
                      {"query-datasets", site, "bias", "--collections", "HSC/calib/bias", "--json"})
                      .out);
  // --service names it; a second transfer adds nothing.
  std::vector<std::string> again = transfer;
  again.insert(again.end(), {"--service", served.socket()});
  auto twice = RunStarlog(again);
  INFO(twice.err);
  CHECK(twice.exit_code == 0);
  CHECK(Contains(twice.out,
                 "transferred 0 datasets (0 files); 0 dimension records inserted; 2 "
                 "already there"));
  CHECK(served.OpenReadOnly()->head().sequence == store->head().sequence);
}
