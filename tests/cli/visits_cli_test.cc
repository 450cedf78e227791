// Expanded data IDs, temporal joins and define-visits through the real
// binary (issue 17, items 7, 5 and 8).

#include <catch2/catch.hpp>
#include <fstream>

#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

struct Ran {
  int exit_code = -1;
  std::string out;  // Standard output and error, interleaved.
};

// `starlog ARGS...` as its own process.
Ran Starlog(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", STARLOG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv);
  Ran r;
  while (auto line = child.ReadLine(std::chrono::seconds(60))) r.out += *line + "\n";
  const int status = child.Wait();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

constexpr int64_t kSecond = 1'000'000'000;

// HSC with detectors 0 and 1, filter HSC-R (band r); exposures 1 (March
// 2024), 2 (September 2024) and 3 (across 1 June 2024), all of group g9;
// raws of each; biases of both detectors certified in HSC/calib, one for
// the first half of 2024, another for the second.
class VisitRepo {
 public:
  VisitRepo() : repo_(dir_.Sub("repo")) {
    Ok({"create", repo_, "--no-sync"});
    Write("instrument.csv", "instrument,detector_max\nHSC,111\n");
    Write("band.csv", "band\nr\n");
    Write("physical_filter.csv", "instrument,physical_filter,band\nHSC,HSC-R,r\n");
    Write("detector.csv", "instrument,detector\nHSC,0\nHSC,1\n");
    Write("day_obs.csv", "instrument,day_obs\nHSC,20240301\n");
    std::string exposures = "[";
    const int64_t starts[] = {1709251200, 1725148800, 1717113600};
    for (int i = 0; i < 3; ++i) {
      const int64_t begin = starts[i] * kSecond;
      const int64_t end = begin + (i == 2 ? 172800 : 30) * kSecond;
      exposures +=
          std::string(i ? "," : "") + R"({"instrument":"HSC","exposure":)" + std::to_string(i + 1) +
          R"(,"physical_filter":"HSC-R","day_obs":20240301,"observation_type":"science",)" +
          R"("obs_id":"HSCA)" + std::to_string(i + 1) +
          R"(","group_name":"g9","group_id":9,"timespan_begin":)" + std::to_string(begin) +
          R"(,"timespan_end":)" + std::to_string(end) + "}";
    }
    Write("exposure.json", exposures + "]");
    for (const char* e : {"instrument", "band", "physical_filter", "detector", "day_obs"}) {
      Ok({"insert-dimension-records", repo_, e, dir_.Sub(std::string(e) + ".csv")});
    }
    Ok({"insert-dimension-records", repo_, "exposure", dir_.Sub("exposure.json")});
    Ok({"register-dataset-type", repo_, "raw", "Exposure", "instrument", "exposure", "detector"});
    Ok({"register-dataset-type", repo_, "bias", "ExposureF", "instrument", "detector",
        "--is-calibration"});
    Ok({"create-collection", repo_, "HSC/raw/all"});
    Write("raws.csv", "instrument,exposure,detector\nHSC,1,0\nHSC,1,1\nHSC,2,0\n");
    Ok({"register-datasets", repo_, "raw", "HSC/raw/all", dir_.Sub("raws.csv")});
    Ok({"create-collection", repo_, "HSC/calib", "--type", "CALIBRATION"});
    Write("bias.csv", "instrument,detector\nHSC,0\nHSC,1\n");
    for (const char* run : {"calib/early", "calib/late"}) {
      Ok({"create-collection", repo_, run, "--type", "RUN"});
      Ok({"register-datasets", repo_, "bias", run, dir_.Sub("bias.csv")});
    }
    Ok({"certify-calibrations", repo_, "calib/early", "HSC/calib", "bias", "--begin-date",
        "2024-01-01", "--end-date", "2024-06-01"});
    Ok({"certify-calibrations", repo_, "calib/late", "HSC/calib", "bias", "--begin-date",
        "2024-06-01", "--end-date", "2025-01-01"});
  }
  const std::string& repo() const { return repo_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_.Sub(name)) << text;
  }
  void Ok(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  uint64_t Head() const {
    starlog::engine::StoreOptions options;
    options.read_only = true;
    auto store = starlog::engine::EventStore::Open(repo_, options);
    REQUIRE(store.ok());
    return (*store)->head().sequence;
  }

 private:
  starlog::testutil::TempDir dir_;
  std::string repo_;
};

}  // namespace

TEST_CASE("query-datasets shows a raw's implied values, required columns first",
          "[cli][dimensions]") {
  VisitRepo r;
  auto table = Starlog({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all"});
  INFO(table.out);
  REQUIRE(table.exit_code == 0);
  const std::string header = table.out.substr(0, table.out.find('\n'));
  CHECK(header.find("INSTRUMENT") < header.find("DETECTOR"));
  CHECK(header.find("DETECTOR") < header.find("EXPOSURE"));
  CHECK(header.find("EXPOSURE") < header.find("BAND"));
  CHECK(header.find("BAND") < header.find("PHYSICAL_FILTER"));
  CHECK(Contains(table.out, "HSC-R"));
  auto json =
      Starlog({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(
      Contains(json.out, R"("implied":{"band":"r","day_obs":20240301,"physical_filter":"HSC-R"})"));
  auto ids = Starlog({"query-data-ids", r.repo(), "exposure", "--where", "exposure = 1", "--json"});
  REQUIRE(ids.exit_code == 0);
  CHECK(Contains(ids.out, R"("band":"r")"));
}

TEST_CASE("query-datasets bias over exposures answers one bias per exposure and detector",
          "[cli][calib]") {
  VisitRepo r;
  auto json = Starlog({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib", "--where",
                       "exposure IN (1, 2)", "--json"});
  INFO(json.out);
  REQUIRE(json.exit_code == 0);
  size_t rows = 0;
  for (size_t at = json.out.find("\"joined\""); at != std::string::npos;
       at = json.out.find("\"joined\"", at + 1)) {
    ++rows;
  }
  CHECK(rows == 4);
  CHECK(Contains(json.out, R"("collection":"HSC/calib")"));
  CHECK(Contains(json.out, R"("run":"calib/early")"));
  CHECK(Contains(json.out, R"("run":"calib/late")"));
  auto table = Starlog({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib", "--where",
                        "exposure = 1"});
  REQUIRE(table.exit_code == 0);
  CHECK(Contains(table.out, "EXPOSURE"));
  // Exposure 3 spans both validity ranges: an error naming both.
  auto ambiguous = Starlog({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib",
                            "--where", "exposure = 3 AND detector = 0"});
  CHECK(ambiguous.exit_code == 1);
  CHECK(Contains(ambiguous.out, "more than one validity range"));
}

TEST_CASE("define-visits groups exposures into visits, once", "[cli][visits]") {
  VisitRepo r;
  auto defined = Starlog({"define-visits", r.repo(), "--instrument", "HSC"});
  INFO(defined.out);
  REQUIRE(defined.exit_code == 0);
  CHECK(Contains(defined.out, "defined 3 visits"));
  const uint64_t head = r.Head();
  auto again = Starlog({"define-visits", r.repo(), "--instrument", "HSC"});
  REQUIRE(again.exit_code == 0);
  CHECK(Contains(again.out, "no new visits: 3 already defined"));
  CHECK(r.Head() == head);
  auto one =
      Starlog({"query-data-ids", r.repo(), "visit", "exposure", "--where", "visit = 2", "--json"});
  REQUIRE(one.exit_code == 0);
  CHECK(Contains(one.out, R"("exposure":2)"));
  CHECK_FALSE(Contains(one.out, R"("exposure":1)"));
  // By group: one visit (9), its records in one atomic write (four events:
  // visit_system, visit, visit_definition, visit_system_membership).
  auto grouped = Starlog({"define-visits", r.repo(), "--instrument", "HSC", "--visit-system",
                          "by-group-metadata", "--collections", "HSC/raw/all"});
  REQUIRE(grouped.exit_code == 0);
  CHECK(r.Head() == head + 4);
  auto nine = Starlog({"query-data-ids", r.repo(), "visit", "exposure", "--where", "visit = 9"});
  REQUIRE(nine.exit_code == 0);
  INFO(nine.out);
  CHECK(Contains(nine.out, "VISIT"));
  // Only exposures with raws in the collection, 1 and 2: two rows under the header and rule.
  CHECK(std::count(nine.out.begin(), nine.out.end(), '\n') == 4);
  auto bad = Starlog({"define-visits", r.repo(), "--instrument", "HSC", "--visit-system", "nope"});
  CHECK(bad.exit_code == 2);
  CHECK(Starlog({"define-visits", r.repo()}).exit_code == 2);
  CHECK(r.Head() == head + 4);
}
