// Jobs in separate processes each make their own RUN and prepend it to one
// shared chain at the same moment, as prompt processing's jobs do: every one
// succeeds, no prepend is lost, and each job's "(event N)" is its own event
// however the others interleave.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

constexpr int kJobs = 16;

std::string Run(int i) { return "run" + std::to_string(i); }
std::string Job(int i) { return "job" + std::to_string(i); }

// The sequence numbers a job printed as "(event N)", one a line.
std::vector<uint64_t> PrintedEvents(ChildProcess& job) {
  static const std::regex event(R"(\(event (\d+)\))");
  std::vector<uint64_t> out;
  while (auto line = job.ReadLine(std::chrono::seconds(60))) {
    std::smatch m;
    INFO(*line);
    REQUIRE(std::regex_search(*line, m, event));
    out.push_back(std::stoull(m[1].str()));
  }
  return out;
}

// `starlog log --json`, one line an event, by sequence.
std::map<uint64_t, std::string> LogBySequence(const std::string& repo) {
  auto log = RunStarlog({"log", repo, "--json"});
  REQUIRE(log.exit_code == 0);
  static const std::regex sequence(R"("sequence":(\d+))");
  std::map<uint64_t, std::string> out;
  std::istringstream lines(log.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    REQUIRE(std::regex_search(line, m, sequence));
    out[std::stoull(m[1].str())] = line;
  }
  return out;
}

}  // namespace

TEST_CASE("Concurrent jobs each create a RUN and prepend it to one chain", "[cli][lock]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  // No policy: each job writes as a user of its own.
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  const std::string script =
      "\"$0\" create-collection \"$1\" \"$2\" --user \"$3\" && \"$0\" "
      "collection-chain \"$1\" shared \"$2\" --mode prepend --user \"$3\"";
  std::vector<std::unique_ptr<ChildProcess>> jobs;
  for (int i = 0; i < kJobs; ++i) {
    jobs.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{"/bin/sh", "-c", script, STARLOG_BINARY, repo, Run(i), Job(i)}));
  }
  std::vector<std::vector<uint64_t>> printed;
  for (auto& job : jobs) {
    printed.push_back(PrintedEvents(*job));
    const int status = job->Wait();
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  const auto log = LogBySequence(repo);
  for (int i = 0; i < kJobs; ++i) {
    INFO(Job(i));
    REQUIRE(printed[i].size() == 2);
    const std::string& created = log.at(printed[i][0]);
    CHECK(Contains(created, "\"actor\":\"" + Job(i) + "\""));
    CHECK(Contains(created, "\"type\":\"create-collection\""));
    CHECK(Contains(created, "\"name\":\"" + Run(i) + "\""));
    const std::string& chained = log.at(printed[i][1]);
    CHECK(Contains(chained, "\"actor\":\"" + Job(i) + "\""));
    CHECK(Contains(chained, "\"type\":\"set-chain\""));
    // The job's prepend put its run first.
    CHECK(Contains(chained, "\"children\":[\"" + Run(i) + "\""));
  }
  // The last event is the last prepend: the chain holds every job's run.
  const std::string& last = log.rbegin()->second;
  CHECK(Contains(last, "\"type\":\"set-chain\""));
  for (int i = 0; i < kJobs; ++i) CHECK(Contains(last, "\"" + Run(i) + "\""));
}
