// The read commands through the repository's service (--service SOCKET, or
// $STARLOG_SERVICE) answer exactly as a read-only open of the same
// repository does: output, --json, exit codes and error messages.

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "cli/commands.h"
#include "cli/reader.h"
#include "tests/cli/cli_runner.h"
#include "tests/service/service_fixture.h"

using namespace starlog;
using testutil::RunStarlog;
using testutil::ServedRepository;

namespace {

void Ok(const std::vector<std::string>& command) {
  auto r = RunStarlog(command);
  INFO(command[0] << ": " << r.err);
  REQUIRE(r.exit_code == 0);
}

// Raws in a chain, biases certified in a calibration collection with two
// validity ranges, a TAGGED collection, a snapshot, then more raws after it.
void Populate(const std::string& repo, const std::string& scratch) {
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(scratch + "/" + name) << text;
    return scratch + "/" + name;
  };
  Ok({"insert-dimension-records", repo, "instrument", write("i.csv", "instrument\nHSC\n")});
  Ok({"insert-dimension-records", repo, "band", write("band.csv", "band\nr\ng\n")});
  Ok({"insert-dimension-records", repo, "physical_filter",
      write("f.csv", "instrument,physical_filter,band\nHSC,HSC-R,r\nHSC,HSC-G,g\n")});
  Ok({"insert-dimension-records", repo, "detector",
      write("d.csv", "instrument,detector\nHSC,0\nHSC,1\nHSC,2\n")});
  Ok({"insert-dimension-records", repo, "exposure",
      write(
          "e.json",
          R"([{"instrument":"HSC","exposure":10,"physical_filter":"HSC-R","observation_type":"science"},
                {"instrument":"HSC","exposure":11,"physical_filter":"HSC-G","observation_type":"bias"}])")});
  Ok({"register-dataset-type", repo, "raw", "Exposure", "instrument", "exposure", "detector"});
  Ok({"register-dataset-type", repo, "calexp", "ExposureF", "instrument", "exposure", "detector"});
  Ok({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
      "--is-calibration"});
  for (const char* run : {"HSC/raw/all", "HSC/runs/a", "HSC/calib/run1", "HSC/calib/run2"}) {
    Ok({"create-collection", repo, run});
  }
  Ok({"create-collection", repo, "HSC/calib", "--type", "CALIBRATION"});
  Ok({"register-datasets", repo, "raw", "HSC/raw/all",
      write("raws.csv", "instrument,exposure,detector\nHSC,10,0\nHSC,10,1\nHSC,11,2\n"),
      "--id-mode", "datatype-run"});
  std::ofstream(repo + "/c-10-0.fits") << "pixels";
  Ok({"register-datasets", repo, "calexp", "HSC/runs/a",
      write("calexp.csv", "instrument,exposure,detector,path\nHSC,10,0,c-10-0.fits\n"), "--id-mode",
      "datatype-run"});
  Ok({"collection-chain", repo, "HSC/defaults", "HSC/runs/a", "HSC/raw/all"});
  Ok({"register-datasets", repo, "bias", "HSC/calib/run1",
      write("b1.csv", "instrument,detector\nHSC,0\nHSC,1\n"), "--id-mode", "datatype-run"});
  Ok({"register-datasets", repo, "bias", "HSC/calib/run2",
      write("b2.csv", "instrument,detector\nHSC,0\n"), "--id-mode", "datatype-run"});
  Ok({"certify-calibrations", repo, "HSC/calib/run1", "HSC/calib", "bias", "--begin-date",
      "2024-01-01", "--end-date", "2024-07-01"});
  Ok({"certify-calibrations", repo, "HSC/calib/run2", "HSC/calib", "bias", "--begin-date",
      "2024-07-01"});
  Ok({"create-collection", repo, "HSC/tagged", "--type", "TAGGED"});
  Ok({"associate", repo, "HSC/tagged", "--dataset-type", "raw", "--collections", "HSC/raw/all",
      "--where", "exposure = 10"});
  Ok({"snapshot", "create", repo, "before-more"});
  Ok({"register-datasets", repo, "raw", "HSC/raw/all",
      write("more.csv", "instrument,exposure,detector\nHSC,11,0\nHSC,11,1\n"), "--id-mode",
      "datatype-run"});
}

// Each a read command's arguments after the repository.
const std::vector<std::vector<std::string>> kReads = {
    {"query-datasets", "raw", "--collections", "HSC/defaults"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--json"},
    {"query-datasets", "raw", "--collections", "HSC/*", "--find-all"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--where",
     "exposure = e AND detector IN (0..1)", "--bind", "e=10"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--where", "band = r"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--where",
     "exposure.observation_type = bias"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--where", "nope = 3"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--where", "exposure = ("},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--as-of", "before-more"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--as-of", "12"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--as-of", "99999"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--as-of", "no-such-snapshot"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--as-of", "1999-01-01T00:00:00Z"},
    {"query-datasets", "calexp.wcs", "--collections", "HSC/defaults"},
    {"query-datasets", "bias", "--collections", "HSC/calib", "--time", "2024-03-01T00:00:00"},
    {"query-datasets", "bias", "--collections", "HSC/calib", "--time", "2024-08-01T00:00:00",
     "--json"},
    {"query-datasets", "bias", "--collections", "HSC/calib"},
    {"query-datasets", "raw", "--collections", "no/such"},
    {"query-datasets", "--collections", "HSC/defaults"},
    {"query-datasets", "ra*", "calexp", "--collections", "HSC/defaults", "--json"},
    {"query-datasets", "*", "--collections", "HSC/*", "--find-all", "--limit", "3"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--limit", "-2"},
    {"query-datasets", "raw", "calexp", "--collections", "HSC/defaults", "--order-by",
     "-exposure,band"},
    {"query-datasets", "raw", "--collections", "HSC/defaults", "--order-by", "nope"},
    {"query-datasets", "raw", "nope", "--collections", "HSC/defaults"},
    {"find-dataset", "bias", "--data-id", "instrument=HSC,detector=0", "--collections", "HSC/calib",
     "--time", "2024-03-01T00:00:00", "--json"},
    {"find-dataset", "bias", "--data-id", "instrument=HSC,detector=1", "--collections", "HSC/calib",
     "--time", "2024-08-01T00:00:00"},
    {"find-dataset", "bias", "--data-id", "instrument=HSC,detector=0", "--collections", "HSC/calib",
     "--timespan", "2024-06-01T00:00:00", "2024-08-01T00:00:00"},
    {"find-dataset", "raw", "--data-id", "instrument=HSC,exposure=10,detector=0", "--collections",
     "HSC/defaults"},
    {"find-dataset", "raw", "--data-id", "instrument=HSC,exposure=11,detector=0", "--collections",
     "HSC/defaults", "--as-of", "before-more"},
    {"find-dataset", "raw", "--data-id", "instrument=HSC,exposure=x", "--collections",
     "HSC/defaults"},
    {"query-collections"},
    {"query-collections", "--json"},
    {"query-collections", "HSC/*", "--chains", "flatten"},
    {"query-collections", "--type", "CALIBRATION", "--type", "TAGGED"},
    {"query-collections", "--as-of", "5"},
    {"query-dataset-types"},
    {"query-dataset-types", "calexp", "--components", "--json"},
    {"query-dataset-types", "--as-of", "6"},
    {"query-data-ids", "exposure", "detector", "--where", "exposure.observation_type = science"},
    {"query-data-ids", "exposure", "--datasets", "raw", "--collections", "HSC/tagged", "--json"},
    {"query-data-ids", "band"},
    {"query-data-ids", "exposure", "--where", "exposure = e", "--bind", "e=11"},
    {"query-dimension-records", "exposure"},
    {"query-dimension-records", "exposure", "--where", "observation_type = bias", "--json"},
    {"query-dimension-records", "physical_filter", "--as-of", "2"},
    {"query-dimension-records", "nope"},
    {"query-data-ids", "exposure", "detector", "--order-by", "-detector,-exposure", "--limit", "3"},
    {"query-data-ids", "exposure", "--order-by", "band", "--json"},
    {"query-data-ids", "detector", "--limit", "-2"},
    {"query-data-ids", "exposure", "--datasets", "raw", "--collections", "HSC/defaults",
     "--order-by", "-exposure", "--limit", "1"},
    {"query-data-ids", "detector", "--order-by", "exposure"},
    {"query-dimension-records", "exposure", "--order-by", "-observation_type", "--json"},
    {"query-dimension-records", "detector", "--order-by", "-detector", "--limit", "-1"},
    {"query-dimension-records", "exposure", "--order-by", "attract"},
    {"wait", "--dataset-type", "raw", "--data-id", "instrument=HSC,exposure=10,detector=1",
     "--collections", "HSC/defaults"},
    {"wait", "--dataset-type", "raw", "--data-id", "instrument=HSC,exposure=12,detector=1",
     "--collections", "HSC/defaults", "--timeout", "200ms"},
    {"info"},
    {"info", "--json"},
};

std::string Answer(const std::string& repo, std::vector<std::string> command,
                   const std::vector<std::string>& extra = {}) {
  command.insert(command.begin() + 1, repo);
  command.insert(command.end(), extra.begin(), extra.end());
  auto r = RunStarlog(command);
  return std::to_string(r.exit_code) + "\n" + r.out + "--\n" + r.err;
}

}  // namespace

TEST_CASE("Read commands through the service answer as a read-only open does", "[service][cli]") {
  testutil::TempDir scratch;
  ServedRepository served;
  Populate(served.root(), scratch.path());
  for (const auto& read : kReads) {
    const std::string local = Answer(served.root(), read);
    const std::string through = Answer(served.root(), read, {"--service", served.socket()});
    INFO(read[0] << " " << (read.size() > 1 ? read[1] : "") << "\n" << local);
    CHECK(through == local);
  }
  // $STARLOG_SERVICE names it as well.
  ::setenv("STARLOG_SERVICE", served.socket().c_str(), 1);
  const std::string via_env = Answer(served.root(), {"query-collections", "--json"});
  ::unsetenv("STARLOG_SERVICE");
  CHECK(via_env == Answer(served.root(), {"query-collections", "--json"}));
}

TEST_CASE("A read through a service that is not there fails as a connection does",
          "[service][cli]") {
  testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  auto r = RunStarlog({"query-collections", repo, "--service", dir.Sub("no.sock")});
  CHECK(r.exit_code == 1);
  CHECK(testutil::Contains(r.err, "no.sock"));
  // Without --service the reads stay local even beside a running service.
  CHECK(RunStarlog({"query-collections", repo}).exit_code == 0);
}

TEST_CASE("wait through the service is woken by a write through it", "[service][cli]") {
  ServedRepository served;
  testutil::TempDir scratch;
  std::ofstream(scratch.Sub("i.csv")) << "instrument\nHSC\n";
  std::ofstream(scratch.Sub("d.csv")) << "instrument,detector\nHSC,1\n";
  Ok({"insert-dimension-records", served.root(), "instrument", scratch.Sub("i.csv")});
  Ok({"insert-dimension-records", served.root(), "detector", scratch.Sub("d.csv")});
  Ok({"register-dataset-type", served.root(), "bias", "ExposureF", "instrument", "detector"});
  const pid_t waiter = testutil::Fork([&] {
    auto r = RunStarlog({"wait", served.root(), "--dataset-type", "bias", "--data-id",
                         "instrument=HSC,detector=1", "--collections", "run", "--timeout", "60s",
                         "--service", served.socket()});
    return r.exit_code == 0 && testutil::Contains(r.out, "run") ? 0 : 1;
  });
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Ok({"create-collection", served.root(), "run"});
  Ok({"register-datasets", served.root(), "bias", "run", scratch.Sub("d.csv"), "--id-mode",
      "datatype-run"});
  CHECK(testutil::WaitExit(waiter) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

TEST_CASE("serve stops at once with a client waiting through it, the waiter is told",
          "[service][cli]") {
  ServedRepository served;
  const pid_t waiter = testutil::Fork([&] {
    auto r = RunStarlog({"wait", served.root(), "--dataset-type", "bias", "--data-id",
                         "instrument=HSC,detector=1", "--collections", "run", "--timeout", "120s",
                         "--service", served.socket()});
    return r.exit_code == 1 && testutil::Contains(r.err, "Unavailable") ? 0 : 1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  served.Kill(SIGTERM);  // Returns once the service has exited.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(testutil::WaitExit(waiter) == 0);
}

TEST_CASE("A command's reads through the service all see the point its first one saw",
          "[service][cli]") {
  ServedRepository served;
  Ok({"create-collection", served.root(), "first"});
  const auto spec = cli::QueryCollectionsCommand();
  for (const bool through_service : {false, true}) {
    std::vector<std::string> argv = {served.root()};
    if (through_service) argv.insert(argv.end(), {"--service", served.socket()});
    auto args = cli::ArgParser::Parse(spec, argv);
    REQUIRE(args.ok());
    auto reader = cli::Reader::Open(*args);
    REQUIRE(reader.ok());
    // Another writer commits after the reader opened: none of its calls see it.
    const std::string later = through_service ? "later2" : "later1";
    Ok({"create-collection", served.root(), later});
    auto all = (*reader)->QueryCollections({}, {});
    REQUIRE(all.ok());
    for (const auto& c : *all) CHECK(c.name != later);
    CHECK((*reader)->GetCollection(later).value() == std::nullopt);
    CHECK((*reader)->GetCollection("first").value().has_value());
  }
}
