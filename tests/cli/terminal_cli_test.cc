// What starlog says on a terminal besides its answers: progress lines that
// never run into messages, and --log-level deciding what is shown (issue #17
// items 12 and 15).

#include <catch2/catch.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

// Runs the CLI as if stderr were a terminal.
starlog::testutil::CliResult RunOnTerminal(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  starlog::cli::Io io{out, err, true};
  starlog::testutil::CliResult r;
  r.exit_code = starlog::cli::RunCli(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("A message clears the progress line, which is drawn again after it", "[cli]") {
  std::ostringstream out, err;
  starlog::cli::Io io{out, err, true};
  {
    starlog::cli::Progress progress(io, "replicate", "events");
    progress.Update(1, 10);
    progress.Note("replicate: connected");
    progress.Update(2, 10);
  }
  CHECK(err.str() ==
        "\rreplicate: 1/10 events (10%)"
        "\r\x1b[Kreplicate: connected\n"
        "\rreplicate: 2/10 events (20%)\n");
}

TEST_CASE("The log level takes the butler's levels, before or after the command", "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "r"}).exit_code == 0);

  auto shown = RunOnTerminal({"rebuild", repo});
  REQUIRE(shown.exit_code == 0);
  CHECK(Contains(shown.err, "rebuild: "));
  for (const char* quiet : {"WARNING", "error", "lsst.daf.butler=CRITICAL"}) {
    auto before = RunOnTerminal({"--log-level", quiet, "rebuild", repo});
    INFO(before.err);
    CHECK(before.exit_code == 0);
    CHECK_FALSE(Contains(before.err, "rebuild: "));
    auto after = RunOnTerminal({"rebuild", repo, std::string("--log-level=") + quiet});
    CHECK(after.exit_code == 0);
    CHECK_FALSE(Contains(after.err, "rebuild: "));
  }
  CHECK(RunOnTerminal({"--log-level", "DEBUG", "rebuild", repo}).exit_code == 0);
  auto bad = RunStarlog({"info", repo, "--log-level", "LOUD"});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "CRITICAL, ERROR, WARNING, INFO"));
  CHECK(RunStarlog({"info", repo, "--log-level"}).exit_code == 2);
  CHECK(RunStarlog({"--help"}).out.find("--log-level") != std::string::npos);
}
