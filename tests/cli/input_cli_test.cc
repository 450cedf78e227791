// What operators feed the CLI from outside (CSV and JSON rows, paths, FIFOs,
// bundles, the repository root as an ingest input) is checked before it
// touches a file, and refusals say what was wrong.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "starlog/codec/json_reader.h"
#include "starlog/engine/repo_paths.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::CliResult;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;
namespace fs = std::filesystem;

namespace {

struct Repo {
  Repo() : repo(dir.Sub("repo")) {
    Ok({"create", repo, "--no-sync"});
    Write("i.csv", "instrument\nHSC\n");
    Write("d.csv", "instrument,detector\nHSC,1\nHSC,2\n");
    Ok({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
    Ok({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")});
    Ok({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"});
    Ok({"create-collection", repo, "run1"});
  }
  void Write(const std::string& name, const std::string& text) const {
    fs::create_directories(fs::path(dir.Sub(name)).parent_path());
    std::ofstream(dir.Sub(name), std::ios::binary) << text;
  }
  CliResult Ok(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }
  uint64_t Head() {
    auto r = Ok({"info", repo, "--json"});
    auto doc = starlog::codec::ParseJson(r.out);
    REQUIRE(doc.ok());
    const auto* head = doc->Find("head_sequence");
    REQUIRE(head != nullptr);
    return static_cast<uint64_t>(head->integer);
  }
  starlog::testutil::TempDir dir;
  std::string repo;
};

// Runs the real binary with "args", stderr folded into stdout. Returns its
// exit code and output, or kills it and returns -1 if it is not done within
// "limit" (a regression that blocks on a FIFO must fail, not hang).
std::pair<int, std::string> RunBinaryWithin(const std::vector<std::string>& args,
                                            std::chrono::seconds limit) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", STARLOG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string out;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = child.ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!line) break;
    out += *line + "\n";
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    child.Kill(SIGKILL);
    child.Wait();
    return {-1, out};
  }
  const int status = child.Wait();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE(
    "register-datasets --id-mode datatype-run with another file for a dataset is a "
    "conflict naming both",
    "[cli][input]") {
  Repo r;
  r.Write("repo/bias/a.fits", "first bytes");
  r.Write("repo/bias/b.fits", "other bytes, longer");
  r.Write("a.csv", "instrument,detector,path\nHSC,1,bias/a.fits\n");
  r.Write("b.csv", "instrument,detector,path\nHSC,1,bias/b.fits\n");
  const std::vector<std::string> reg = {"register-datasets", r.repo,        "bias", "run1", "",
                                        "--id-mode",         "datatype-run"};
  auto with = [&](const std::string& csv) {
    auto args = reg;
    args[4] = r.dir.Sub(csv);
    return RunStarlog(args);
  };
  REQUIRE(with("a.csv").exit_code == 0);
  const uint64_t head = r.Head();
  auto same = with("a.csv");
  CHECK(same.exit_code == 0);
  CHECK(r.Head() == head);
  auto other = with("b.csv");
  CHECK(other.exit_code == 1);
  CHECK(Contains(other.err, "bias/a.fits"));
  CHECK(Contains(other.err, "bias/b.fits"));
  CHECK(Contains(other.err, "11 bytes"));
  CHECK(r.Head() == head);
  // Same path, the file's bytes changed since: its checksum differs.
  r.Write("repo/bias/a.fits", "first BYTES");
  auto changed = with("a.csv");
  CHECK(changed.exit_code == 1);
  CHECK(Contains(changed.err, "already registered with file 'bias/a.fits'"));
}

TEST_CASE("register-datasets refuses a path out of the root or into .starlog before reading it",
          "[cli][input]") {
  Repo r;
  r.Write("outside.fits", "x");
  for (const std::string path :
       {"../outside.fits", ".starlog/registry/CURRENT", "/etc/hostname", "a/./b.fits"}) {
    INFO(path);
    r.Write("rows.csv", "instrument,detector,path\nHSC,1," + path + "\n");
    auto res = RunStarlog({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("rows.csv")});
    CHECK(res.exit_code == 1);
    CHECK(Contains(res.err, "row 1"));
  }
}

TEST_CASE("A FIFO or a link to /dev/zero as a dataset's file is refused at once", "[cli][input]") {
  Repo r;
  fs::create_directories(r.repo + "/bias");
  REQUIRE(::mkfifo((r.repo + "/bias/pipe.fits").c_str(), 0644) == 0);
  fs::create_symlink("/dev/zero", r.repo + "/bias/zero.fits");
  for (const std::string name : {"pipe.fits", "zero.fits"}) {
    INFO(name);
    r.Write("rows.csv", "instrument,detector,path\nHSC,1,bias/" + name + "\n");
    auto [code, out] =
        RunBinaryWithin({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("rows.csv")},
                        std::chrono::seconds(20));
    CHECK(code == 1);
    CHECK(Contains(out, "a dataset's file must be a regular file"));
  }
}

TEST_CASE("CSV and JSON input: a byte order mark is skipped, invalid UTF-8 is named by offset",
          "[cli][input]") {
  Repo r;
  r.Write("bom.csv", "\xEF\xBB\xBFinstrument,detector\nHSC,3\n");
  CHECK(RunStarlog({"insert-dimension-records", r.repo, "detector", r.dir.Sub("bom.csv")})
            .exit_code == 0);
  r.Write("bom.json", "\xEF\xBB\xBF[{\"instrument\":\"HSC\",\"detector\":4}]");
  CHECK(RunStarlog({"insert-dimension-records", r.repo, "detector", r.dir.Sub("bom.json")})
            .exit_code == 0);
  const uint64_t head = r.Head();
  r.Write("bad.csv", "instrument,detector,full_name\nHSC,5,ccd\xFF\n");
  auto bad = RunStarlog({"insert-dimension-records", r.repo, "detector", r.dir.Sub("bad.csv")});
  CHECK(bad.exit_code == 1);
  CHECK(Contains(bad.err, "byte offset 39"));
  // JSON escapes reach the engine, which refuses control characters.
  r.Write("nul.json", R"([{"instrument":"HSC","detector":6,"full_name":"a\u0000b"}])");
  auto nul = RunStarlog({"insert-dimension-records", r.repo, "detector", r.dir.Sub("nul.json")});
  CHECK(nul.exit_code == 1);
  CHECK(Contains(nul.err, "detector.full_name"));
  CHECK(Contains(nul.err, "control character at byte offset 1"));
  auto doc = RunStarlog({"create-collection", r.repo, "run2", "--doc", "bad \xC3"});
  CHECK(doc.exit_code == 1);
  CHECK(Contains(doc.err, "not valid UTF-8"));
  CHECK(r.Head() == head);
  // What was accepted prints as valid JSON.
  r.Ok({"create-collection", r.repo, "run3", "--doc", "caf\xC3\xA9\n\ttabbed \"quoted\""});
  auto listed = r.Ok({"query-collections", r.repo, "--json"});
  CHECK(starlog::codec::ParseJson(listed.out).ok());
  CHECK(Contains(listed.out, "caf\xC3\xA9"));
}

TEST_CASE("ingest given the repository root never walks into .starlog", "[cli][input]") {
  Repo r;
  r.Ok({"register-dataset-type", r.repo, "raw", "Exposure", "instrument", "exposure", "detector"});
  r.Write("cam.cfg",
          "instrument Cam\nmatch INSTRUME Cam\nvalue exposure EXPNUM\n"
          "value detector CCDNUM\nvalue physical_filter FILTER\n"
          "value band FILTER lower\nday_obs DATE-OBS -12\n");
  fs::create_directories(r.repo + "/incoming");
  starlog::testutil::WriteFits(
      r.repo + "/incoming/c0.fits",
      starlog::testutil::RawCards("Cam", 7, 0, "R", "science", "2024-05-01T01:00:00", 5));
  auto res = RunStarlog({"ingest", r.repo, r.repo, "--run", "Cam/raw/all", "--translator",
                         r.dir.Sub("cam.cfg"), "--transfer", "direct", "--json"});
  INFO(res.out << res.err);
  CHECK(res.exit_code == 0);
  CHECK_FALSE(Contains(res.out, std::string(starlog::engine::kPrivateFolder)));
  CHECK(Contains(res.out, "\"files\":1"));
  CHECK(Contains(res.out, "\"ingested\":1"));
}
