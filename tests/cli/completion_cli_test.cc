// Bash completion (issue #17 item 15): run in a real bash, for a starlog
// that is not on the PATH, with words split as bash splits them.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::RunStarlog;

namespace {

// Each line of "cases" is the words of one command line (the last is being
// completed); returns what completion offers for each, one line each.
std::vector<std::string> Complete(starlog::testutil::TempDir& dir, const std::string& cases) {
  std::ofstream(dir.Sub("complete.sh"))
      << "PATH=/usr/bin:/bin\n"  // Not the starlog being completed.
      << "source <('" << STARLOG_BINARY << "' completion)\n"
      << "while read -r -a COMP_WORDS; do\n"
      << "  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _starlog\n"
      << "  echo \"${COMPREPLY[*]}\"\n"
      << "done < '" << dir.Sub("cases.txt") << "'\n";
  std::ofstream(dir.Sub("cases.txt")) << cases;
  const std::string out = dir.Sub("complete.out");
  REQUIRE(std::system(("cd '" + dir.path() + "' && bash complete.sh > complete.out").c_str()) == 0);
  std::ifstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("Completion offers the repository's names and each option's choices", "[cli]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(
      dir.path(), "instrument,detector\nHSC,16\nHSC,50\nHSC,104\n");
  REQUIRE(RunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                      "--is-calibration"})
              .exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/raw/all"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "HSC/calib", "--type", "CALIBRATION"}).exit_code ==
          0);
  REQUIRE(RunStarlog({"snapshot", "create", repo, "DM-1"}).exit_code == 0);

  const std::string bin = STARLOG_BINARY;
  const auto got =
      Complete(dir, bin + " query-datasets repo b\n" +  // 0
                        bin + " query-datasets repo bias --collections HSC/raw/all,HSC/c\n" + bin +
                        " find-dataset repo bias --data-id inst\n" +  // 2
                        bin + " find-dataset repo bias --data-id instrument = HSC,detector = 1\n" +
                        bin + " query-datasets repo bias --as-of D\n" +  // 4
                        bin + " collection-chain repo ch --mode p\n" + bin +
                        " query-collections repo --chains INVERSE-TR\n" +                      // 6
                        bin + " query-collections repo --re\n" + bin + " --log-level = W\n" +  // 8
                        bin + " register-datasets repo bias HSC/r\n" + bin +
                        " query-collections repo --log-level WARNING --chains=NO\n");
  REQUIRE(got.size() == 11);
  CHECK(got[0] == "bias");
  CHECK(got[1] == "HSC/raw/all,HSC/calib");
  CHECK(got[2] == "instrument=");
  // After "=", readline replaces only what follows it.
  CHECK(got[3] == "104 16");
  CHECK(got[4] == "DM-1");
  CHECK(got[5] == "prepend pop");
  CHECK(got[6] == "INVERSE-TREE");
  CHECK(got[7] == "--read-only");
  CHECK(got[8] == "WARNING");
  CHECK(got[9] == "HSC/raw/all");
  CHECK(got[10] == "NO-CHILDREN");  // What follows the "=".
}
