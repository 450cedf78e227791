#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "engine/store/meta_keys.h"
#include "starlog/codec/coding.h"
#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/raw_registry.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::ChildProcess;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

struct Repo {
  Repo() : repo(dir.Sub("repo")) {
    Run({"create", repo, "--no-sync"});
    std::ofstream(dir.Sub("i.csv")) << "instrument\nHSC\n";
    std::ofstream(dir.Sub("d.csv")) << "instrument,detector\nHSC,1\nHSC,2\n";
    Run({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
    Run({"insert-dimension-records", repo, "detector", dir.Sub("d.csv")});
    Run({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"});
    Run({"create-collection", repo, "run1"});
  }
  void Run(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  std::string Out(const std::vector<std::string>& args) {
    auto r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  starlog::testutil::TempDir dir;
  std::string repo;
};

}  // namespace

TEST_CASE("snapshot create, list and show, queries as of a snapshot", "[cli][history]") {
  Repo r;
  r.Run({"snapshot", "create", r.repo, "empty-run1"});
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,1\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  r.Run({"snapshot", "create", r.repo, "first", "--at", "2"});
  auto list = r.Out({"snapshot", "list", r.repo});
  CHECK(Contains(list, "empty-run1"));
  CHECK(Contains(list, "first"));
  auto show = r.Out({"snapshot", "show", r.repo, "first", "--json"});
  CHECK(Contains(show, "\"sequence\":2"));
  CHECK(RunStarlog({"snapshot", "create", r.repo, "first"}).exit_code == 1);
  CHECK(RunStarlog({"snapshot", "show", r.repo, "nope"}).exit_code == 1);
  CHECK(RunStarlog({"snapshot", "rename", r.repo}).exit_code == 2);
  auto now = r.Out({"query-datasets", r.repo, "bias", "--collections", "run1", "--json"});
  CHECK(Contains(now, "\"detector\":1"));
  auto then = r.Out({"query-datasets", r.repo, "bias", "--collections", "run1", "--as-of",
                     "empty-run1", "--json"});
  CHECK_FALSE(Contains(then, "\"detector\":1"));
}

TEST_CASE("digest prints the recorded digest and recomputes it", "[cli][history]") {
  Repo r;
  auto d = r.Out({"digest", r.repo, "--recompute", "--json"});
  CHECK(Contains(d, "\"agrees\":true"));
  auto old = r.Out({"digest", r.repo, "--as-of", "2"});
  CHECK(Contains(old, "sequence      2"));
}

TEST_CASE("rebuild reproduces the digest and reports it", "[cli][history]") {
  Repo r;
  const std::string before = r.Out({"digest", r.repo});
  auto out = r.Out({"rebuild", r.repo, "--no-sync"});
  CHECK(Contains(out, "matched at every event"));
  CHECK(r.Out({"digest", r.repo}) == before);
}

TEST_CASE("a repository of format version 1 says to rebuild it, and rebuild converts it",
          "[cli][history]") {
  Repo r;
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,2\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  const std::string before = r.Out({"query-datasets", r.repo, "bias", "--collections", "run1"});
  starlog::testutil::WithRawRegistry(r.repo, [](rocksdb::DB* db, auto& cf) {
    std::string version;
    starlog::codec::PutFixed32(&version, 1);
    auto* meta = starlog::testutil::FamilyHandle(cf, starlog::engine::Family::kMeta);
    REQUIRE(db->Put(rocksdb::WriteOptions(), meta, std::string(starlog::engine::kMetaFormatVersion),
                    version)
                .ok());
  });
  auto refused = RunStarlog({"query-datasets", r.repo, "bias", "--collections", "run1"});
  CHECK(refused.exit_code != 0);
  CHECK(Contains(refused.err, "format version 1"));
  CHECK(Contains(refused.err, "run `starlog rebuild " + r.repo + "` to convert it"));
  auto out = r.Out({"rebuild", r.repo, "--no-sync"});
  CHECK(Contains(out, "converted the repository from format version 1 to 2"));
  CHECK(r.Out({"query-datasets", r.repo, "bias", "--collections", "run1"}) == before);
  CHECK(Contains(r.Out({"rebuild", r.repo, "--no-sync"}), "matched at every event"));
}

TEST_CASE("diff shows what changed between two points", "[cli][history]") {
  Repo r;
  r.Run({"snapshot", "create", r.repo, "start"});
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,2\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  r.Run({"create-collection", r.repo, "tagged", "--type", "TAGGED"});
  auto table = r.Out({"diff", r.repo, "--from", "start"});
  CHECK(Contains(table, "bias instrument=HSC, detector=2"));
  CHECK(Contains(table, "tagged"));
  auto json = r.Out({"diff", r.repo, "--from", "start", "--json"});
  CHECK(Contains(json, "\"datasets_added\":[{"));
  CHECK(RunStarlog({"diff", r.repo}).exit_code == 2);
}

TEST_CASE("wait, in its own process, is woken when another process registers the dataset",
          "[cli][wait]") {
  Repo r;
  ChildProcess waiter({STARLOG_BINARY, "wait", r.repo, "--dataset-type", "bias", "--data-id",
                       "instrument=HSC,detector=2", "--collections", "run1", "--timeout", "60s"});
  // Registering through the library, as another writer process would.
  REQUIRE(waiter.WaitUntilWatching(std::chrono::seconds(30)));
  std::ofstream(r.dir.Sub("b.csv")) << "instrument,detector\nHSC,2\n";
  r.Run({"register-datasets", r.repo, "bias", "run1", r.dir.Sub("b.csv")});
  auto line = waiter.ReadLine(std::chrono::seconds(30));
  const int status = waiter.Wait();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE(line.has_value());
  CHECK(Contains(*line, "TYPE"));
}

TEST_CASE("wait times out with a clear error and a non-zero exit", "[cli][wait]") {
  Repo r;
  auto res =
      RunStarlog({"wait", r.repo, "--dataset-type", "bias", "--data-id",
                  "instrument=HSC,detector=1", "--collections", "run1", "--timeout", "300ms"});
  CHECK(res.exit_code == 1);
  CHECK(Contains(res.err, "Timed out: waited 300 ms"));
  CHECK(Contains(res.err, "run1"));
  CHECK(RunStarlog({"wait", r.repo, "--dataset-type", "bias", "--collections", "run1", "--timeout",
                    "soon"})
            .exit_code == 2);  // An unparsable duration is a usage error.
}

// tests/data/format1 holds a repository that the last starlog of format
// version 1 wrote (the README's quick-start steps), with what that starlog
// answered to each command of queries.tsv: converted, the repository answers
// every one as it did.
TEST_CASE("a repository written by a starlog of format version 1 converts and answers as before",
          "[cli][history]") {
  starlog::testutil::TempDir dir;
  const std::string data = std::string(STARLOG_SOURCE_DIR) + "/tests/data/format1";
  const std::string untar = "tar -xzf '" + data + "/repo.tar.gz' -C '" + dir.path() + "'";
  REQUIRE(std::system(untar.c_str()) == 0);
  const std::string repo = dir.Sub("repo");
  auto refused = RunStarlog({"query-collections", repo});
  CHECK(refused.exit_code != 0);
  CHECK(Contains(refused.err, "has format version 1, older than this starlog's 2"));
  auto rebuilt = RunStarlog({"rebuild", repo, "--no-sync"});
  INFO(rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(Contains(rebuilt.out, "converted the repository from format version 1 to 2"));

  std::ifstream queries(data + "/queries.tsv");
  std::string line, transcript;
  while (std::getline(queries, line)) {
    std::vector<std::string> args;
    std::string shown;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      std::string arg = line.substr(start, tab == std::string::npos ? tab : tab - start);
      shown += (args.empty() ? "" : " ") + (arg == "REPO" ? "repo" : arg);
      args.push_back(arg == "REPO" ? repo : arg);
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    auto r = RunStarlog(args);
    transcript +=
        "$ " + shown + "\n" + r.out + r.err + "exit " + std::to_string(r.exit_code) + "\n";
  }
  std::ifstream expected_file(data + "/answers.txt");
  const std::string expected((std::istreambuf_iterator<char>(expected_file)),
                             std::istreambuf_iterator<char>());
  REQUIRE(!expected.empty());
  CHECK(transcript == expected);
  // The digests it recorded are those every later rebuild checks.
  auto again = RunStarlog({"rebuild", repo, "--no-sync"});
  CHECK(Contains(again.out, "matched at every event"));
  // The log is the one version 1 wrote (its chain hash then), and the
  // indexes sum to the digest recorded.
  auto digest = RunStarlog({"digest", repo, "--recompute"});
  CHECK(Contains(digest.out, "6bc16fd94194c04dcb26d6ab8a79f339"));
  CHECK(Contains(digest.out, "(agrees)"));
  CHECK(RunStarlog({"fsck", repo}).exit_code == 0);
}
