// `starlog verify --content`: two repositories of different lineage compared
// by content, through the real command.

#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::CliResult;
using starlog::testutil::Contains;
using starlog::testutil::MustRunStarlog;
using starlog::testutil::RunStarlog;

namespace {

// A repository with detectors "detectors" inserted and a bias registered
// for each, in the order given, one command each: the same set in another
// order makes another log with the same content.
std::string Build(const starlog::testutil::TempDir& dir, const std::string& name,
                  const std::vector<int>& detectors) {
  const std::string repo = dir.Sub(name);
  MustRunStarlog({"create", repo, "--no-policy", "--no-sync"});
  std::ofstream(dir.Sub("i.csv")) << "instrument,detector_max\nHSC,111\n";
  MustRunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub("i.csv")});
  MustRunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  MustRunStarlog({"create-collection", repo, "calib/run"});
  for (int d : detectors) {
    const std::string csv = dir.Sub(name + std::to_string(d) + ".csv");
    std::ofstream(csv) << "instrument,detector\nHSC," << d << "\n";
    MustRunStarlog({"insert-dimension-records", repo, "detector", csv});
    MustRunStarlog(
        {"register-datasets", repo, "bias", "calib/run", csv, "--id-mode", "datatype-run"});
  }
  return repo;
}

}  // namespace

TEST_CASE("verify --content: repositories built apart agree, or name what differs",
          "[cli][verify]") {
  starlog::testutil::TempDir dir;
  const std::string a = Build(dir, "a", {0, 1, 2});
  const std::string b = Build(dir, "b", {2, 0, 1});

  // Their logs have nothing in common: the plain verify refuses.
  CliResult logs = RunStarlog({"verify", a, "--against", b});
  CHECK(logs.exit_code == 1);
  CHECK(Contains(logs.err, "--content compares repositories of different lineage"));

  CliResult same = RunStarlog({"verify", a, "--content", "--against", b});
  INFO(same.err);
  CHECK(same.exit_code == 0);
  CHECK(Contains(same.out, "contents agree"));

  std::ofstream(dir.Sub("d3.csv")) << "instrument,detector\nHSC,3\n";
  MustRunStarlog({"insert-dimension-records", b, "detector", dir.Sub("d3.csv")});
  MustRunStarlog({"register-datasets", b, "bias", "calib/run", dir.Sub("d3.csv"), "--id-mode",
                  "datatype-run"});
  CliResult differ = RunStarlog({"verify", a, "--content", "--against", b});
  INFO(differ.out);
  CHECK(differ.exit_code == 1);
  CHECK(Contains(differ.out, "collection 'calib/run' bias: 3 entries here, 4 there"));
  CHECK(Contains(differ.out, "only in the other: RUN 'calib/run' bias {"));
  CHECK(Contains(differ.out, "{detector=3, instrument=HSC}: dataset "));
  CHECK(Contains(differ.out, "only in the other: record 'detector'"));

  CliResult json = RunStarlog({"verify", a, "--content", "--against", b, "--json", "--limit", "1"});
  CHECK(json.exit_code == 1);
  CHECK(Contains(json.out, "\"agree\":false"));
  CHECK(Contains(json.out, "\"differences\":2"));
  CHECK(Contains(json.out, "\"kind\":\"RUN\""));
  CHECK_FALSE(Contains(json.out, "\"kind\":\"record\""));  // Past the limit, but counted.

  CHECK(RunStarlog({"verify", a, "--content"}).exit_code == 2);
  CHECK(RunStarlog({"verify", a, "--content", "--against", b, "--limit", "x"}).exit_code == 2);
  CliResult peer = RunStarlog({"verify", a, "--content", "--against", "127.0.0.1:1"});
  CHECK(peer.exit_code != 0);
  CHECK(Contains(peer.err, "--key"));
}

namespace {

// What a repository of the network comparison holds: biases of detectors
// "detectors" (in that order) with a file each, detector 0's certified
// until "end", and detector 2's record named "name_2".
struct Content {
  std::vector<int> detectors = {0, 1, 2, 3};
  std::string file_1 = "bias 1";
  std::string end = "2025-01-01";
  std::string name_2 = "ccd2";
};

std::string BuildWithFiles(const starlog::testutil::TempDir& dir, const std::string& name,
                           const Content& c) {
  const std::string repo = dir.Sub(name);
  MustRunStarlog({"create", repo, "--no-policy", "--no-sync"});
  std::ofstream(dir.Sub(name + "i.csv")) << "instrument,detector_max\nHSC,111\n";
  MustRunStarlog({"insert-dimension-records", repo, "instrument", dir.Sub(name + "i.csv")});
  MustRunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector",
                  "--is-calibration"});
  MustRunStarlog({"create-collection", repo, "calib/run"});
  MustRunStarlog({"create-collection", repo, "calib", "--type", "CALIBRATION"});
  std::ofstream records(dir.Sub(name + "d.csv"));
  std::ofstream biases(dir.Sub(name + "b.csv"));
  records << "instrument,detector,full_name\n";
  biases << "instrument,detector,path\n";
  for (int d : c.detectors) {
    records << "HSC," << d << "," << (d == 2 ? c.name_2 : "ccd" + std::to_string(d)) << "\n";
    const std::string file = "bias_" + std::to_string(d) + ".fits";
    std::ofstream(repo + "/" + file) << (d == 1 ? c.file_1 : "bias " + std::to_string(d));
    biases << "HSC," << d << "," << file << "\n";
  }
  records.close();
  biases.close();
  MustRunStarlog({"insert-dimension-records", repo, "detector", dir.Sub(name + "d.csv")});
  MustRunStarlog({"register-datasets", repo, "bias", "calib/run", dir.Sub(name + "b.csv"),
                  "--id-mode", "datatype-run"});
  MustRunStarlog({"certify-calibrations", repo, "calib/run", "calib", "bias", "--where",
                  "detector = 0", "--begin-date", "2024-01-01", "--end-date", c.end});
  return repo;
}

// `starlog serve REPO` in another process, replication on a free port;
// "tls" names a certificate and key to serve over TLS (without the service).
struct Served {
  Served(const std::string& repo, const std::string& key, const std::string& tls = "")
      : child(Argv(repo, key, tls)) {
    auto line = child.ReadLine(std::chrono::seconds(10));
    REQUIRE(line.has_value());
    REQUIRE(Contains(*line, "serving"));
    std::string text = *line;
    if (text.size() > 9 && text.compare(text.size() - 9, 9, " over TLS") == 0) {
      text.resize(text.size() - 9);
    }
    address = text.substr(text.rfind(' ') + 1);
  }
  ~Served() {
    child.Kill(SIGTERM);
    child.Wait();
  }
  static std::vector<std::string> Argv(const std::string& repo, const std::string& key,
                                       const std::string& tls) {
    std::vector<std::string> argv = {STARLOG_BINARY, "serve", repo, "--listen",
                                     "127.0.0.1:0",  "--key", key};
    if (!tls.empty()) {
      for (const std::string& a : {std::string("--no-service"), std::string("--tls-cert"),
                                   tls + ".pem", std::string("--tls-key"), tls + ".key"}) {
        argv.push_back(a);
      }
    }
    return argv;
  }
  starlog::testutil::ChildProcess child;
  std::string address;
};

std::string KeyFile(const starlog::testutil::TempDir& dir) {
  const std::string key = dir.Sub("key");
  std::ofstream(key) << "0123456789abcdef-a-key-for-tests\n";
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return key;
}

}  // namespace

TEST_CASE("verify --content against a `starlog serve` names what differs, over TCP and TLS",
          "[cli][verify][replication]") {
  starlog::testutil::TempDir dir;
  const std::string key = KeyFile(dir);
  const std::string here = BuildWithFiles(dir, "here", Content{});
  Content theirs;
  theirs.detectors = {2, 1, 0};  // Detector 3's bias missing, the rest in another order.
  theirs.file_1 = "bias 1, another file";
  theirs.end = "2024-07-01";
  theirs.name_2 = "renamed";
  const std::string there = BuildWithFiles(dir, "there", theirs);

  {
    Served served(there, key);
    CliResult r =
        RunStarlog({"verify", here, "--content", "--against", served.address, "--key", key});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(Contains(r.out, "DISAGREE"));
    // Datasets and their files.
    CHECK(Contains(r.out, "collection 'calib/run' bias: 8 entries here, 6 there"));
    CHECK(
        Contains(r.out, "only here: RUN 'calib/run' bias {detector=3, instrument=HSC}: dataset "));
    CHECK(Contains(r.out, "differs: file 'calib/run' bias {detector=1, instrument=HSC}: here "));
    CHECK(Contains(r.out, "(6 bytes, XXH3-128 "));
    CHECK(Contains(r.out, "(20 bytes, XXH3-128 "));
    CHECK(Contains(r.out, "differs: CALIBRATION 'calib' bias {detector=0, instrument=HSC}: here "));
    CHECK(Contains(r.out, "differs: record 'detector' {detector=2, instrument=HSC}: here "));
    CHECK(Contains(r.out, "renamed"));
    CHECK(Contains(r.out, "only here: record 'detector' {detector=3, instrument=HSC}"));

    CliResult json = RunStarlog(
        {"verify", here, "--content", "--against", served.address, "--key", key, "--json"});
    CHECK(json.exit_code == 1);
    CHECK(Contains(json.out, "\"differences\":5"));

    // Without the key nothing is read; with a wrong one the peer refuses.
    CliResult keyless = RunStarlog({"verify", here, "--content", "--against", served.address});
    CHECK(keyless.exit_code != 0);
    CHECK(Contains(keyless.err, "give the shared key (--key FILE)"));
    std::ofstream(dir.Sub("wrong")) << "another key, 0123456789abcdef\n";
    std::filesystem::permissions(
        dir.Sub("wrong"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    CliResult wrong = RunStarlog(
        {"verify", here, "--content", "--against", served.address, "--key", dir.Sub("wrong")});
    CHECK(wrong.exit_code != 0);
    CHECK(Contains(wrong.err, "authentication failed"));
  }

  // The same content built in another order agrees, over TLS.
  Content reordered;
  reordered.detectors = {3, 1, 2, 0};
  const std::string same = BuildWithFiles(dir, "same", reordered);
  const std::string certs = dir.Sub("server");
  const std::string make_cert =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      certs + ".key -out " + certs + ".pem 2>/dev/null";
  REQUIRE(std::system(make_cert.c_str()) == 0);
  Served tls(same, key, certs);
  CliResult agree = RunStarlog({"verify", here, "--content", "--against", tls.address, "--key", key,
                                "--tls-ca", certs + ".pem"});
  INFO(agree.out << agree.err);
  CHECK(agree.exit_code == 0);
  CHECK(Contains(agree.out, "contents agree"));
}
