// Issue #20: `starlog export` of a streaming bundle holds memory that does
// not grow with the datasets. Run as its own CTest test, labelled slow
// (tests/cli/CMakeLists.txt): building the repository takes most of it.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog::testutil;

extern char** environ;

namespace {

// Runs the starlog binary with "args"; its exit code and peak RSS in MB.
std::pair<int, double> RunMeasured(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {STARLOG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, raw[0], nullptr, nullptr, raw.data(), environ) == 0);
  int status = 0;
  rusage usage{};
  REQUIRE(wait4(pid, &status, 0, &usage) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss / 1024.0};
}

}  // namespace

TEST_CASE("Export of 200,000 calibrations stays within bounded memory",
          "[cli][bundle][export][.slow]") {
  // 200,000 biases of 50,000 detectors in 4 RUNs, each RUN certified into
  // Cam/calib for a year of its own (bench/bundle_memory.sh's layout). The
  // export that held them all peaked at 314 MB here (1.3 KB a dataset);
  // the sort holds 32 MiB, the records of 50,000 detectors a few more.
  constexpr int kDetectors = 50'000, kRuns = 4;
  TempDir dir;
  const std::string repo = dir.Sub("repo");
  MustRunStarlog({"create", repo, "--no-policy"});
  std::ofstream(dir.Sub("i.csv")) << "instrument,detector_max\nCam," << kDetectors + 1 << "\n";
  {
    std::ofstream d(dir.Sub("d.csv"));
    d << "instrument,detector\n";
    for (int i = 0; i < kDetectors; ++i) d << "Cam," << i << "\n";
  }
  MustRunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv"), "--no-sync"});
  MustRunStarlog({"insert-dimension-records", repo, "detector", dir.Sub("d.csv"), "--no-sync"});
  MustRunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  MustRunStarlog({"create-collection", repo, "Cam/calib", "--type", "CALIBRATION", "--no-sync"});
  for (int r = 0; r < kRuns; ++r) {
    const std::string run = "Cam/calib/bias/" + std::to_string(r);
    MustRunStarlog({"create-collection", repo, run, "--type", "RUN", "--no-sync"});
    MustRunStarlog({"register-datasets", repo, "bias", run, dir.Sub("d.csv"), "--no-sync"});
    MustRunStarlog({"certify-calibrations", repo, run, "Cam/calib", "bias", "--no-sync",
                    "--begin-date", std::to_string(2000 + r) + "-01-01", "--end-date",
                    std::to_string(2001 + r) + "-01-01"});
  }
  const auto [code, peak_mb] =
      RunMeasured({"export", repo, "bias", "--collections", "Cam/calib", "--to", dir.Sub("b")});
  REQUIRE(code == 0);
  INFO("export's peak RSS: " << peak_mb << " MB");
  CHECK(peak_mb < 200);
  // The bundle is whole: its trailer and order check, every certification.
  MustRunStarlog({"create", dir.Sub("empty"), "--no-policy"});
  const CliResult dry = MustRunStarlog({"import", dir.Sub("empty"), dir.Sub("b"), "--dry-run"});
  CHECK(Contains(dry.out, "200000"));
}
