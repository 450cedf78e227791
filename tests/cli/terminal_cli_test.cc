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

TEST_CASE("export and import show progress on a terminal, none in a pipe", "[cli]") {
  starlog::testutil::TempDir dir;
  const std::string fixture = std::string(STARLOG_SOURCE_DIR) + "/tests/ingest/data/butler_export";
  const std::string repo = dir.Sub("repo");
  const std::string quiet = dir.Sub("quiet");
  for (const std::string& r : {repo, quiet}) {
    REQUIRE(RunStarlog({"create", r, "--no-policy"}).exit_code == 0);
  }
  auto butler_in = RunOnTerminal({"import", repo, fixture, "--format", "butler"});
  INFO(butler_in.err);
  REQUIRE(butler_in.exit_code == 0);
  CHECK(Contains(butler_in.err, "import: 4/4 files (100%)"));
  const std::vector<std::string> what = {"bias", "flat", "raw", "--collections",
                                         "imported_g,Cam1/calib/run1"};
  const auto export_to = [&](const std::string& to, std::vector<std::string> extra) {
    std::vector<std::string> args = {"export", repo};
    args.insert(args.end(), what.begin(), what.end());
    args.insert(args.end(), {"--to", to});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  auto bundle_out = RunOnTerminal(export_to(dir.Sub("bundle"), {}));
  REQUIRE(bundle_out.exit_code == 0);
  CHECK(Contains(bundle_out.err, "export: 5/5 datasets (100%)"));
  auto butler_out = RunOnTerminal(export_to(dir.Sub("butler"), {"--format", "butler"}));
  REQUIRE(butler_out.exit_code == 0);
  CHECK(Contains(butler_out.err, "export: 4/4 files (100%)"));
  const std::string other = dir.Sub("other");
  REQUIRE(RunStarlog({"create", other, "--no-policy"}).exit_code == 0);
  auto bundle_in = RunOnTerminal({"import", other, dir.Sub("bundle")});
  INFO(bundle_in.err);
  REQUIRE(bundle_in.exit_code == 0);
  // Each dataset twice: checked, then imported.
  CHECK(Contains(bundle_in.err, "import: 10/10 datasets checked then imported (100%)"));
  CHECK(Contains(bundle_in.out, "imported 5 datasets"));
  // In a pipe: the same commands, nothing on stderr.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"import", quiet, fixture, "--format", "butler"},
                                             export_to(dir.Sub("bundle2"), {}),
                                             export_to(dir.Sub("butler2"), {"--format", "butler"}),
                                             {"import", dir.Sub("third"), dir.Sub("bundle2")}}) {
    if (args[0] == "import" && args[1] == dir.Sub("third")) {
      REQUIRE(RunStarlog({"create", args[1], "--no-policy"}).exit_code == 0);
    }
    auto piped = RunStarlog(args);
    INFO(args[0] << " " << args[2] << ": " << piped.err);
    CHECK(piped.exit_code == 0);
    CHECK(piped.err.empty());
  }
  // --log-level WARNING hides it on a terminal too.
  auto hidden =
      RunOnTerminal({"--log-level", "WARNING", "import", quiet, fixture, "--format", "butler"});
  CHECK(hidden.err.empty());
}
