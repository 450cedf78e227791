#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "starlog/codec/hash.h"
#include "starlog/engine/event_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::CliResult;
using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

namespace {

// A repository built through the CLI, with an HSC-like camera's records.
class CliRepo {
 public:
  CliRepo() : repo_(dir_.Sub("repo")) {
    Ok({"create", repo_, "--no-sync"});
    Write("instrument.csv", "instrument,detector_max\nHSC,111\n");
    Write("physical_filter.csv", "instrument,physical_filter\nHSC,HSC-R\n");
    Write("detector.csv", "instrument,detector\nHSC,0\nHSC,1\nHSC,2\n");
    Write(
        "exposure.json",
        R"([{"instrument":"HSC","exposure":10,"physical_filter":"HSC-R","observation_type":"science"},
              {"instrument":"HSC","exposure":11,"physical_filter":"HSC-R","observation_type":"bias"}])");
    for (const char* e : {"instrument", "physical_filter", "detector"}) {
      Ok({"insert-dimension-records", repo_, e, dir_.Sub(std::string(e) + ".csv")});
    }
    Ok({"insert-dimension-records", repo_, "exposure", dir_.Sub("exposure.json")});
    Ok({"register-dataset-type", repo_, "raw", "Exposure", "instrument", "exposure", "detector"});
    Ok({"register-dataset-type", repo_, "bias", "ExposureF", "instrument", "detector",
        "--is-calibration"});
    Ok({"create-collection", repo_, "HSC/raw/all"});
    Ok({"create-collection", repo_, "calib/run", "--type", "RUN"});
    Ok({"create-collection", repo_, "HSC/calib/DM-1", "--type", "CALIBRATION"});
    Write("raws.csv", "instrument,exposure,detector\nHSC,10,0\nHSC,10,1\nHSC,11,2\n");
    Ok({"register-datasets", repo_, "raw", "HSC/raw/all", dir_.Sub("raws.csv"), "--id-mode",
        "datatype-run"});
    Write("bias.csv", "instrument,detector\nHSC,0\nHSC,1\n");
    Ok({"register-datasets", repo_, "bias", "calib/run", dir_.Sub("bias.csv")});
  }

  const std::string& repo() const { return repo_; }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_.Sub(name)) << text;
  }

  CliResult Ok(const std::vector<std::string>& args) {
    CliResult r = RunStarlog(args);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  // Runs a command that must be refused: exit "code" (1, or 2 for a usage
  // error), "message" on stderr, and the log exactly as it was.
  void Rejected(const std::vector<std::string>& args, const std::string& message, int code = 1) {
    const auto before = Head();
    CliResult r = RunStarlog(args);
    INFO(args[0] << " said: " << r.err);
    CHECK(r.exit_code == code);
    CHECK(Contains(r.err, message));
    const auto after = Head();
    CHECK(after.sequence == before.sequence);
    CHECK(after.chain_hash == before.chain_hash);
  }

  starlog::engine::Head Head() const {
    starlog::engine::StoreOptions options;
    options.read_only = true;
    auto store = starlog::engine::EventStore::Open(repo_, options);
    REQUIRE(store.ok());
    return (*store)->head();
  }

 private:
  starlog::testutil::TempDir dir_;
  std::string repo_;
};

}  // namespace

TEST_CASE("register-datasets records the size and XXH3-128 of each file", "[cli][registry]") {
  CliRepo r;
  const std::string content(5000, 'z');
  std::ofstream(r.repo() + "/raw-11-0.fits") << content;
  r.Write("one.csv", "instrument,exposure,detector,path\nHSC,11,0,raw-11-0.fits\n");
  r.Ok({"register-datasets", r.repo(), "raw", "HSC/raw/all", r.Path("one.csv")});
  auto q = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where",
                 "exposure = 11 AND detector = 0", "--json"});
  CHECK(Contains(q.out, "\"path\":\"raw-11-0.fits\""));
  CHECK(Contains(q.out, "\"size\":5000"));
  CHECK(Contains(q.out, "\"checksum\":\"" + starlog::codec::Xxh3_128(content).ToHex() + "\""));
  r.Write("missing.csv", "instrument,exposure,detector,path\nHSC,11,1,nope.fits\n");
  r.Rejected({"register-datasets", r.repo(), "raw", "HSC/raw/all", r.Path("missing.csv")},
             "row 1: no file");
}

TEST_CASE("Deterministic ids from the CLI equal the Gen3 butler's", "[cli][registry]") {
  CliRepo r;
  r.Ok({"create-collection", r.repo(), "run1"});
  r.Write("cam.csv", "instrument\nCam1\n");
  r.Ok({"insert-dimension-records", r.repo(), "instrument", r.Path("cam.csv")});
  r.Write("det.csv", "instrument,detector\nCam1,1\n");
  r.Ok({"insert-dimension-records", r.repo(), "detector", r.Path("det.csv")});
  r.Ok({"register-datasets", r.repo(), "bias", "run1", r.Path("det.csv"), "--id-mode",
        "datatype-run"});
  auto found = r.Ok({"find-dataset", r.repo(), "bias", "--data-id", "instrument=Cam1,detector=1",
                     "--collections", "run1", "--json"});
  CHECK(Contains(found.out, "7556d2d0-3690-5c7c-83cf-75a016a52bbe"));
}

TEST_CASE("Chains: create, edit by mode, find through them", "[cli][registry]") {
  CliRepo r;
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "HSC/raw/all"});
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "HSC/calib/DM-1", "--mode", "extend"});
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "calib/run", "--mode", "prepend"});
  auto tree = r.Ok({"query-collections", r.repo(), "HSC/defaults", "--json"});
  CHECK(Contains(tree.out, R"("children":["calib/run","HSC/raw/all","HSC/calib/DM-1"])"));
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "--mode", "pop"});
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "HSC/calib/DM-1", "--mode", "remove"});
  tree = r.Ok({"query-collections", r.repo(), "HSC/defaults", "--json"});
  CHECK(Contains(tree.out, R"("children":["HSC/raw/all"])"));
  // As the butler's remove_from_chain: a collection the chain does not
  // hold is ignored, one that does not exist is an error, and so is a
  // chain that does not exist (nothing is created).
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "HSC/calib/DM-1", "--mode", "remove"});
  r.Rejected({"collection-chain", r.repo(), "HSC/defaults", "nowhere", "--mode", "remove"},
             "no collection 'nowhere'", 1);
  r.Rejected({"collection-chain", r.repo(), "no/chain", "HSC/raw/all", "--mode", "remove"},
             "no collection 'no/chain'", 1);
  CHECK_FALSE(Contains(r.Ok({"query-collections", r.repo()}).out, "no/chain"));
  tree = r.Ok({"query-collections", r.repo(), "HSC/defaults", "--json"});
  CHECK(Contains(tree.out, R"("children":["HSC/raw/all"])"));
  auto found = r.Ok({"find-dataset", r.repo(), "raw", "--data-id",
                     "instrument=HSC,exposure=10,detector=1", "--collections", "HSC/defaults"});
  CHECK(Contains(found.out, "HSC/raw/all"));
}

TEST_CASE("A chain is emptied only when asked, a re-created collection keeps its doc",
          "[cli][registry]") {
  CliRepo r;
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "HSC/raw/all", "calib/run"});
  // A forgotten argument must not empty HSC/defaults.
  r.Rejected({"collection-chain", r.repo(), "HSC/defaults"}, "no children given", 2);
  r.Rejected({"collection-chain", r.repo(), "HSC/defaults", "--mode", "prepend"},
             "name the collections to prepend", 2);
  auto tree = r.Ok({"query-collections", r.repo(), "HSC/defaults", "--json"});
  CHECK(Contains(tree.out, R"("children":["HSC/raw/all","calib/run"])"));
  r.Ok({"collection-chain", r.repo(), "HSC/defaults", "--mode", "redefine"});
  tree = r.Ok({"query-collections", r.repo(), "HSC/defaults", "--json"});
  CHECK(Contains(tree.out, R"("children":[])"));

  r.Ok({"create-collection", r.repo(), "scratch/run", "--doc", "the first night"});
  auto again = r.Ok({"create-collection", r.repo(), "scratch/run", "--type", "RUN"});
  CHECK(Contains(again.out, "already so, nothing changed"));
  auto listed = r.Ok({"query-collections", r.repo(), "scratch/run", "--json"});
  CHECK(Contains(listed.out, "the first night"));
  r.Ok({"create-collection", r.repo(), "scratch/run", "--doc", "both nights"});
  listed = r.Ok({"query-collections", r.repo(), "scratch/run", "--json"});
  CHECK(Contains(listed.out, "both nights"));
}

TEST_CASE("prune-datasets removes what query-datasets shows, files go only when asked",
          "[cli][registry]") {
  CliRepo r;
  // The same data IDs in two runs, searched through one chain: the newer run
  // shadows the older.
  r.Ok({"create-collection", r.repo(), "run/new"});
  for (int d : {0, 1}) {
    std::ofstream(r.repo() + "/new-" + std::to_string(d) + ".fits") << "new" << d;
  }
  r.Write("new.csv",
          "instrument,exposure,detector,path\nHSC,10,0,new-0.fits\nHSC,10,1,new-1.fits\n");
  r.Ok({"register-datasets", r.repo(), "raw", "run/new", r.Path("new.csv")});
  r.Ok({"collection-chain", r.repo(), "defaults", "run/new", "HSC/raw/all"});
  const auto count = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"query-datasets",      r.repo(),     "raw",   "--collections",
                                  "run/new,HSC/raw/all", "--find-all", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string out = r.Ok(args).out;
    size_t n = 0;
    for (size_t at = out.find("\"id\""); at != std::string::npos; at = out.find("\"id\"", at + 1))
      ++n;
    return n;
  };
  REQUIRE(count({}) == 5);  // 2 in run/new, 3 in HSC/raw/all.
  // The butler CLI's spellings: --no-find-first is --find-all, --find-first
  // the default, and the two directions at once a usage error.
  const auto ids_in = [&](const std::string& flag) {
    const std::string out = r.Ok({"query-datasets", r.repo(), "raw", "--collections",
                                  "run/new,HSC/raw/all", flag, "--json"})
                                .out;
    size_t n = 0;
    for (size_t at = out.find("\"id\""); at != std::string::npos; at = out.find("\"id\"", at + 1))
      ++n;
    return n;
  };
  CHECK(ids_in("--no-find-first") == 5);
  CHECK(ids_in("--find-first") == 3);
  CHECK(RunStarlog({"query-datasets", r.repo(), "raw", "--collections", "run/new", "--find-first",
                    "--find-all"})
            .exit_code == 2);
  CHECK(RunStarlog({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections",
                    "defaults", "--find-first", "--no-find-first", "--dry-run"})
            .exit_code == 2);

  auto dry = r.Ok({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections", "defaults",
                   "--where", "exposure = 10", "--dry-run", "--purge"});
  CHECK(Contains(dry.out, "would remove, with their files, 2 datasets"));
  CHECK(count({}) == 5);
  // Find-first: only the two in run/new, not the shadowed ones in HSC/raw/all.
  auto pruned = r.Ok({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections",
                      "defaults", "--where", "exposure = 10", "--purge"});
  CHECK(Contains(pruned.out, "purged 2 datasets"));
  CHECK(Contains(pruned.out, "2 files deleted"));
  CHECK(count({}) == 3);
  CHECK_FALSE(std::filesystem::exists(r.repo() + "/new-0.fits"));

  // --unstore keeps the dataset and deletes its file.
  std::ofstream(r.repo() + "/keep.fits") << "keep";
  r.Write("keep.csv", "instrument,exposure,detector,path\nHSC,11,0,keep.fits\n");
  r.Ok({"register-datasets", r.repo(), "raw", "run/new", r.Path("keep.csv")});
  auto unstored = r.Ok({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections",
                        "run/new", "--unstore"});
  CHECK(Contains(unstored.out, "unstored 1 datasets"));
  CHECK_FALSE(std::filesystem::exists(r.repo() + "/keep.fits"));
  auto kept = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "run/new", "--json"});
  CHECK(Contains(kept.out, "\"exposure\":11"));
  CHECK_FALSE(Contains(kept.out, "keep.fits"));

  // --find-all takes the shadowed ones too; the default keeps files.
  r.Ok({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections", "defaults",
        "--find-all"});
  CHECK(count({}) == 0);
}

TEST_CASE("Calibrations: certify, find at a time, decertify", "[cli][registry]") {
  CliRepo r;
  r.Ok({"certify-calibrations", r.repo(), "calib/run", "HSC/calib/DM-1", "bias", "--begin-date",
        "2024-01-01", "--end-date", "2024-12-31"});
  auto at = r.Ok({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                  "--collections", "HSC/calib/DM-1", "--time", "2024-06-01T00:00:00"});
  CHECK(Contains(at.out, "[2024-01-01T00:00:00, 2024-12-31T00:00:00)"));
  r.Ok({"decertify-calibrations", r.repo(), "HSC/calib/DM-1", "bias", "--begin-date", "2024-05-01",
        "--end-date", "2024-07-01", "--data-id", "instrument=HSC,detector=1"});
  auto gone =
      RunStarlog({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                  "--collections", "HSC/calib/DM-1", "--time", "2024-06-01T00:00:00"});
  CHECK(gone.exit_code == 1);
  CHECK(Contains(gone.err, "in the collections searched: HSC/calib/DM-1"));
  auto all = r.Ok({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib/DM-1",
                   "--find-all", "--json"});
  CHECK(Contains(all.out, "[2024-07-01T00:00:00, 2024-12-31T00:00:00)"));
  CHECK(Contains(all.out, "[2024-01-01T00:00:00, 2024-05-01T00:00:00)"));
  // Find-first without a time asks for all of time, as the butler's query
  // system: two ranges of one data ID are an ambiguity. The data IDs of
  // the datasets there are not a find-first question (the butler's
  // queryDataIds over datasets): detector 1 is one.
  auto first = RunStarlog({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib/DM-1"});
  CHECK(first.exit_code == 1);
  CHECK(Contains(first.err, "more than one validity range"));
  auto ids = r.Ok({"query-data-ids", r.repo(), "detector", "--datasets", "bias", "--collections",
                   "HSC/calib/DM-1", "--json"});
  CHECK(Contains(ids.out, "\"detector\":1"));

  // A timespan inside one range finds it; one across both is an ambiguity
  // naming both ranges, as the butler's lookup over a timespan is.
  auto inside = r.Ok({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                      "--collections", "HSC/calib/DM-1", "--timespan", "2024-08-01", "2024-09-01"});
  CHECK(Contains(inside.out, "[2024-07-01T00:00:00, 2024-12-31T00:00:00)"));
  auto across =
      RunStarlog({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                  "--collections", "HSC/calib/DM-1", "--timespan", "2024-04-01", "2024-08-01"});
  CHECK(across.exit_code == 1);
  CHECK(Contains(across.err, "more than one validity range"));

  // As the butler's Timespan: bounds outside 1970..2100 TAI are unbounded,
  // and [t, t] is the instant t (one nanosecond).
  r.Ok({"create-collection", r.repo(), "HSC/calib/DM-2", "--type", "CALIBRATION"});
  r.Ok({"certify-calibrations", r.repo(), "calib/run", "HSC/calib/DM-2", "bias", "--begin-date",
        "1960-01-01", "--end-date", "2200-01-01"});
  auto always = r.Ok({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib/DM-2",
                      "--find-all", "--json"});
  INFO(always.out);
  CHECK_FALSE(Contains(always.out, "1960"));
  CHECK_FALSE(Contains(always.out, "2200"));
  r.Ok({"decertify-calibrations", r.repo(), "HSC/calib/DM-2", "bias"});
  r.Ok({"certify-calibrations", r.repo(), "calib/run", "HSC/calib/DM-2", "bias", "--begin-date",
        "2024-03-01T12:00:00", "--end-date", "2024-03-01T12:00:00"});
  auto instant = r.Ok({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                       "--collections", "HSC/calib/DM-2", "--time", "2024-03-01T12:00:00"});
  CHECK(Contains(instant.out, "[2024-03-01T12:00:00, 2024-03-01T12:00:00.000000001)"));
  CHECK(RunStarlog({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                    "--collections", "HSC/calib/DM-2", "--time", "2024-03-01T12:00:00.000000001"})
            .exit_code == 1);
  r.Rejected({"certify-calibrations", r.repo(), "calib/run", "HSC/calib/DM-2", "bias",
              "--begin-date", "2150-01-01"},
             "hold no time the butler represents", 2);
  CHECK(Contains(across.err, "2024-01-01T00:00:00, 2024-05-01T00:00:00"));
  CHECK(Contains(across.err, "2024-07-01T00:00:00, 2024-12-31T00:00:00"));
  auto queried = r.Ok({"query-datasets", r.repo(), "bias", "--collections", "HSC/calib/DM-1",
                       "--timespan", "2024-08-01", "2024-09-01", "--json"});
  CHECK(Contains(queried.out, "[2024-07-01T00:00:00, 2024-12-31T00:00:00)"));
  // Usage errors: both options, a span that ends before it begins, one end only.
  CHECK(RunStarlog({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                    "--collections", "HSC/calib/DM-1", "--time", "2024-08-01", "--timespan",
                    "2024-08-01", "2024-09-01"})
            .exit_code == 2);
  CHECK(RunStarlog({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                    "--collections", "HSC/calib/DM-1", "--timespan", "2024-09-01", "2024-08-01"})
            .exit_code == 2);
  CHECK(RunStarlog({"find-dataset", r.repo(), "bias", "--collections", "HSC/calib/DM-1",
                    "--data-id", "instrument=HSC,detector=1", "--timespan", "2024-09-01"})
            .exit_code == 2);
}

TEST_CASE("Tags, pruning and removing runs through the CLI", "[cli][registry]") {
  CliRepo r;
  r.Ok({"create-collection", r.repo(), "HSC/raw/DM-9", "--type", "TAGGED"});
  r.Ok({"associate", r.repo(), "HSC/raw/DM-9", "--dataset-type", "raw", "--collections",
        "HSC/raw/all", "--where", "exposure.observation_type = science"});
  auto tagged =
      r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/DM-9", "--json"});
  CHECK(Contains(tagged.out, "\"exposure\":10"));
  CHECK_FALSE(Contains(tagged.out, "\"exposure\":11"));
  r.Ok({"disassociate", r.repo(), "HSC/raw/DM-9", "--dataset-type", "raw", "--where",
        "detector = 0"});
  r.Ok({"prune-datasets", r.repo(), "--dataset-type", "raw", "--collections", "HSC/raw/all",
        "--where", "detector = 1"});
  tagged = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/DM-9", "--json"});
  CHECK(tagged.out == "[]\n");
  r.Ok({"remove-runs", r.repo(), "calib/*"});
  auto runs = r.Ok({"query-collections", r.repo(), "--type", "RUN", "--json"});
  CHECK_FALSE(Contains(runs.out, "calib/run"));
}

TEST_CASE("Queries print tables and JSON, and answer as of a past point", "[cli][registry]") {
  CliRepo r;
  const uint64_t before = r.Head().sequence;
  r.Ok({"create-collection", r.repo(), "later", "--type", "TAGGED"});
  auto now = r.Ok({"query-collections", r.repo()});
  CHECK(Contains(now.out, "later"));
  auto then = r.Ok({"query-collections", r.repo(), "--as-of", std::to_string(before)});
  CHECK_FALSE(Contains(then.out, "later"));
  CHECK(Contains(then.out, "HSC/raw/all"));
  auto types = r.Ok({"query-dataset-types", r.repo()});
  CHECK(Contains(types.out, "{detector, exposure, instrument}"));
  auto ids = r.Ok({"query-data-ids", r.repo(), "exposure", "--where",
                   "exposure.observation_type = bias", "--json"});
  // With the implied value its record names (there is no band record).
  CHECK(ids.out == "[{\"exposure\":11,\"instrument\":\"HSC\",\"physical_filter\":\"HSC-R\"}]\n");
  auto records =
      r.Ok({"query-dimension-records", r.repo(), "detector", "--where", "detector >= 1"});
  CHECK(Contains(records.out, "DETECTOR"));
  auto raws = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/*", "--find-all"});
  CHECK(Contains(raws.out, "INSTRUMENT  DETECTOR  EXPOSURE  PHYSICAL_FILTER"));
  CHECK(Contains(raws.out, "HSC         2         11        HSC-R"));
  CHECK(RunStarlog({"query-collections", r.repo(), "--as-of", "no-such-snapshot"}).exit_code == 1);
}

TEST_CASE("Every kind of rejected registry command leaves the log as it was", "[cli][registry]") {
  CliRepo r;
  const std::string& repo = r.repo();
  struct BadRecords {
    const char* file;
    const char* text;
    const char* element;
    const char* message;
  };
  for (const BadRecords& bad : {
           BadRecords{"bad_element.csv", "instrument,colour\nHSC,red\n", "instrument",
                      "'colour' is no key or field of instrument"},
           BadRecords{"bad_type.csv", "instrument,detector\nHSC,one\n", "detector",
                      "'detector' takes an integer"},
           BadRecords{"ragged.csv", "instrument,detector\nHSC\n", "detector",
                      "CSV line 2 has 1 fields"},
           BadRecords{"bad.json", "[{\"instrument\": \"HSC\",]", "instrument", "JSON: expected"},
       }) {
    r.Write(bad.file, bad.text);
    r.Rejected({"insert-dimension-records", repo, bad.element, r.Path(bad.file)}, bad.message);
  }
  r.Rejected({"register-dataset-type", repo, "raw", "Exposure", "instrument"},
             "already registered");
  r.Rejected({"remove-dataset-type", repo, "raw"}, "still has datasets");
  r.Rejected({"register-datasets", repo, "raw", "no/run", r.Path("raws.csv")},
             "no collection 'no/run'");
  r.Rejected({"register-datasets", repo, "raw", "HSC/raw/all", r.Path("raws.csv")},
             "already holds raw");
  r.Rejected({"collection-chain", repo, "new/chain", "HSC/raw/all", "nope"},
             "no collection 'nope'");
  r.Ok({"collection-chain", repo, "a", "HSC/raw/all"});
  r.Ok({"collection-chain", repo, "b", "a"});
  r.Rejected({"collection-chain", repo, "a", "b"}, "would form a cycle: a -> b -> a");
  r.Rejected({"remove-collection", repo, "HSC/raw/all"}, "referenced by chain 'a'");
  r.Rejected({"remove-runs", repo, "HSC/raw/all"}, "referenced by chain 'a'");
  r.Ok({"certify-calibrations", repo, "calib/run", "HSC/calib/DM-1", "bias"});
  r.Rejected({"certify-calibrations", repo, "calib/run", "HSC/calib/DM-1", "bias", "--begin-date",
              "2030-01-01"},
             "overlaps dataset");
  r.Rejected({"associate", repo, "HSC/calib/DM-1", "--dataset-type", "raw", "--collections",
              "HSC/raw/all"},
             "needs a TAGGED collection");
  r.Rejected({"find-dataset", repo, "raw", "--data-id", "instrument=HSC,exposure=10",
              "--collections", "HSC/raw/all"},
             "missing 'detector'");
  r.Rejected(
      {"query-datasets", repo, "raw", "--collections", "HSC/raw/all", "--where", "detector = 'x'"},
      "detector is int");
  r.Rejected({"prune-datasets", repo}, "nothing to prune", 2);
  r.Rejected({"decertify-calibrations", repo, "HSC/calib/DM-1", "bias", "--begin-date",
              "2024-02-01", "--end-date", "2024-01-01"},
             "--begin-date must not come after --end-date", 2);
}

TEST_CASE("A repository created with its own universe uses it", "[cli][registry]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  std::ofstream(dir.Sub("universe.cfg")) << "# a spectrograph\n"
                                            "element telescope key=string\n"
                                            "element arm key=string requires=telescope\n"
                                            "element frame key=int requires=telescope "
                                            "fields=lamp:string max=100000\n";
  std::ofstream(dir.Sub("broken.cfg")) << "element arm key=string requires=telescope\n";
  auto broken = RunStarlog({"create", dir.Sub("other"), "--universe", dir.Sub("broken.cfg")});
  CHECK(broken.exit_code == 1);
  CHECK(Contains(broken.err, "universe line 1"));
  REQUIRE(RunStarlog({"create", repo, "--universe", dir.Sub("universe.cfg")}).exit_code == 0);
  std::ofstream(dir.Sub("t.csv")) << "telescope\nVLT\n";
  std::ofstream(dir.Sub("arm.csv")) << "telescope,arm\nVLT,blue\nVLT,red\n";
  std::ofstream(dir.Sub("frame.csv")) << "telescope,frame,lamp\nVLT,7,ThAr\n";
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "telescope", dir.Sub("t.csv")}).exit_code ==
          0);
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "arm", dir.Sub("arm.csv")}).exit_code == 0);
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "frame", dir.Sub("frame.csv")}).exit_code ==
          0);
  REQUIRE(
      RunStarlog({"register-dataset-type", repo, "arc", "Spectrum", "frame", "arm"}).exit_code ==
      0);
  auto wrong = RunStarlog({"register-dataset-type", repo, "raw", "Exposure", "exposure"});
  CHECK(Contains(wrong.err, "unknown dimension 'exposure'"));
  REQUIRE(RunStarlog({"create-collection", repo, "arcs"}).exit_code == 0);
  std::ofstream(dir.Sub("arcs.csv")) << "telescope,frame,arm\nVLT,7,blue\nVLT,7,red\n";
  REQUIRE(RunStarlog({"register-datasets", repo, "arc", "arcs", dir.Sub("arcs.csv")}).exit_code ==
          0);
  auto found = RunStarlog({"query-datasets", repo, "arc", "--collections", "arcs", "--where",
                           "frame.lamp = ThAr AND arm = red"});
  CHECK(found.exit_code == 0);
  CHECK(Contains(found.out, "TELESCOPE  ARM  FRAME"));
  CHECK(Contains(found.out, "VLT        red  7"));
  CHECK_FALSE(Contains(found.out, "blue"));
}

TEST_CASE("Query commands: --where speaks the butler's language and --bind fills in its names",
          "[cli][registry][where]") {
  CliRepo r;
  const auto count = [](const std::string& json) {
    size_t n = 0;
    for (size_t at = json.find("\"id\""); at != std::string::npos;
         at = json.find("\"id\"", at + 1)) {
      ++n;
    }
    return n;
  };
  auto either = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where",
                      "detector = d OR (exposure = e AND NOT exposure.observation_type = "
                      "'science')",
                      "--bind", "d=0", "--bind", "e=11", "--json"});
  CHECK(count(either.out) == 2);
  CHECK(Contains(either.out, "\"detector\":0"));
  CHECK(Contains(either.out, "\"detector\":2"));
  auto ranged =
      r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where",
            "detector NOT IN (0..2:2) AND instrument = inst", "--bind", "inst=HSC", "--json"});
  CHECK(count(ranged.out) == 1);
  CHECK(Contains(ranged.out, "\"detector\":1"));
  // A clause that does not parse is a usage error that points at the column;
  // a name the repository's dimensions lack is refused by the query.
  auto syntax = RunStarlog({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all",
                            "--where", "detector IN (0, 1"});
  CHECK(syntax.exit_code == 2);
  CHECK(Contains(syntax.err, "expected ',' or ')' at column 18"));
  auto bad_bind = RunStarlog({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all",
                              "--where", "detector = d", "--bind", "d"});
  CHECK(bad_bind.exit_code == 2);
  CHECK(Contains(bad_bind.err, "--bind takes NAME=VALUE"));
  auto unknown = RunStarlog(
      {"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where", "tract = 1"});
  CHECK(unknown.exit_code == 1);
  CHECK(Contains(unknown.err, "'tract' (column 1) names nothing known"));
  auto help = RunStarlog({"query-datasets", "--help"});
  CHECK(Contains(help.out, "--bind NAME=VALUE"));
  CHECK(Contains(help.out, "NOT IN"));
}

TEST_CASE("Query commands: --where OVERLAPS with --bind times as text and :name binds",
          "[cli][registry][where]") {
  CliRepo r;
  // 10 at 13:00-13:30, 11 at 14:00-14:30 UTC on 2013-06-17 (TAI, +35 s).
  const int64_t at13 = (15873LL * 86400 + 13 * 3600 + 35) * 1'000'000'000;
  const int64_t half_hour = 1800LL * 1'000'000'000;
  r.Write(
      "timed.json",
      R"([{"instrument":"HSC","exposure":10,"physical_filter":"HSC-R","observation_type":"science","timespan_begin":)" +
          std::to_string(at13) + R"(,"timespan_end":)" + std::to_string(at13 + half_hour) +
          R"(},{"instrument":"HSC","exposure":11,"physical_filter":"HSC-R","observation_type":"bias","timespan_begin":)" +
          std::to_string(at13 + 2 * half_hour) + R"(,"timespan_end":)" +
          std::to_string(at13 + 3 * half_hour) + "}]");
  r.Ok({"insert-dimension-records", r.repo(), "exposure", r.Path("timed.json"), "--replace"});
  const auto exposures = [&](const std::vector<std::string>& where) {
    std::vector<std::string> args = {"query-dimension-records", r.repo(), "exposure", "--where"};
    args.insert(args.end(), where.begin(), where.end());
    args.push_back("--json");
    return r.Ok(args).out;
  };
  const std::string at_1310 =
      exposures({"exposure.timespan OVERLAPS :t", "--bind", "t=2013-06-17T13:10:00"});
  CHECK(Contains(at_1310, "\"exposure\":10"));
  CHECK_FALSE(Contains(at_1310, "\"exposure\":11"));
  const std::string from_1330 =
      exposures({"timespan OVERLAPS ts", "--bind", "ts=(T'2013-06-17 13:30:00', NULL)"});
  CHECK(Contains(from_1330, "\"exposure\":11"));
  CHECK_FALSE(Contains(from_1330, "\"exposure\":10"));
  const std::string literal = exposures(
      {"T'2013-06-17 14:00:00' OVERLAPS timespan AND observation_type = :k", "--bind", "k=bias"});
  CHECK(Contains(literal, "\"exposure\":11"));
  auto not_a_time = RunStarlog({"query-dimension-records", r.repo(), "exposure", "--where",
                                "timespan OVERLAPS (NULL, :t)", "--bind", "t=tomorrow"});
  CHECK(not_a_time.exit_code == 2);
  CHECK(Contains(not_a_time.err, "the bind value 'tomorrow' at column 26 is no time"));
  auto unbound =
      RunStarlog({"query-dimension-records", r.repo(), "exposure", "--where", "exposure = :e"});
  CHECK(unbound.exit_code == 2);
  CHECK(Contains(unbound.err, "none is given for :e) at column 12"));
}

TEST_CASE("Usage errors of every kind exit 2, refusals exit 1", "[cli][registry]") {
  CliRepo r;
  const std::string& repo = r.repo();
  const std::vector<std::pair<std::vector<std::string>, std::string>> usage = {
      {{"query-datasets", repo, "raw", "--colour"}, "unknown option --colour"},
      {{"register-dataset-type", repo, "flat"}, "missing STORAGE_CLASS"},
      {{"collection-chain", repo, "c", "HSC/raw/all", "--mode", "nope"}, "unknown chain mode"},
      {{"query-collections", repo, "--type", "FOLDER"}, "unknown collection type 'FOLDER'"},
      {{"query-datasets", repo, "raw"}, "give the collections"},
      {{"log", repo, "--limit", "many"}, "--limit takes a non-negative integer"},
      {{"find-dataset", repo, "bias", "--collections", "calib/run", "--time", "yesterday"},
       "yesterday"},
      {{"query-datasets", repo, "raw", "--collections", "HSC/raw/all", "--where", "detector ="},
       "at column"},
  };
  for (const auto& [args, message] : usage) {
    r.Rejected(args, message, 2);
  }
  r.Rejected({"query-datasets", repo, "raw", "--collections", "no/such"}, "no/such", 1);
  r.Rejected({"register-dataset-type", repo, "raw", "Exposure", "instrument"}, "already registered",
             1);
}

TEST_CASE("Tables: data-ID columns in order, times as ISO in TAI, widths in characters",
          "[cli][registry]") {
  CliRepo r;
  r.Write(
      "named.json",
      R"([{"instrument":"HSC","exposure":10,"physical_filter":"HSC-R","observation_type":"science",
               "target_name":"仙女座","timespan_begin":1709287237000000000},
              {"instrument":"HSC","exposure":11,"physical_filter":"HSC-R","observation_type":"bias",
               "target_name":"Éta"}])");
  r.Ok({"insert-dimension-records", r.repo(), "exposure", r.Path("named.json"), "--replace"});
  auto records = r.Ok({"query-dimension-records", r.repo(), "exposure"});
  INFO(records.out);
  // Required keys in the universe's order (instrument first), then implied
  // ones, as the butler prints them, then the record's fields as the
  // universe declares them; the time is ISO, labelled TAI.
  CHECK(Contains(records.out,
                 "INSTRUMENT  EXPOSURE  PHYSICAL_FILTER  OBSERVATION_TYPE  "
                 "TARGET_NAME  TIMESPAN_BEGIN (TAI)\n"));
  // The wide name takes six columns, the accented one three: the next
  // column starts at the same place on both lines.
  CHECK(Contains(records.out, "science           仙女座       2024-03-01T10:00:37\n"));
  CHECK(Contains(records.out, "bias              Éta\n"));
  auto ids = r.Ok({"query-data-ids", r.repo(), "exposure", "detector"});
  CHECK(Contains(ids.out, "INSTRUMENT  DETECTOR  EXPOSURE  PHYSICAL_FILTER\n"));
}

TEST_CASE("A record's timespan is given as an ISO time (TAI) or in nanoseconds, alike",
          "[cli][registry]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(dir.path());
  std::ofstream(dir.Sub("pf.csv")) << "instrument,physical_filter\nHSC,HSC-R\n";
  std::ofstream(dir.Sub("day.csv")) << "instrument,day_obs\nHSC,20240301\n";
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "physical_filter", dir.Sub("pf.csv")})
              .exit_code == 0);
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "day_obs", dir.Sub("day.csv")}).exit_code ==
          0);
  std::ofstream(dir.Sub("e.csv"))
      << "instrument,exposure,physical_filter,day_obs,timespan_begin,timespan_end\n"
         "HSC,1,HSC-R,20240301,2024-03-01T12:00:00,2024-03-01T12:05:00.5\n"
         "HSC,2,HSC-R,20240301,1709294400000000000,1709294700500000000\n";
  auto inserted = RunStarlog({"insert-dimension-records", repo, "exposure", dir.Sub("e.csv")});
  INFO(inserted.err);
  REQUIRE(inserted.exit_code == 0);
  auto json = RunStarlog({"query-dimension-records", repo, "exposure", "--json"});
  // Both rows hold the same nanoseconds.
  const std::string begin = "\"timespan_begin\":1709294400000000000";
  const size_t first = json.out.find(begin);
  REQUIRE(first != std::string::npos);
  CHECK(json.out.find(begin, first + 1) != std::string::npos);
  std::ofstream(dir.Sub("bad.csv"))
      << "instrument,exposure,physical_filter,day_obs,timespan_begin\nHSC,3,HSC-R,20240301,soon\n";
  auto bad = RunStarlog({"insert-dimension-records", repo, "exposure", dir.Sub("bad.csv")});
  CHECK(bad.exit_code == 1);
  CHECK(Contains(bad.err, "'timespan_begin' takes TAI nanoseconds or an ISO time"));
}

TEST_CASE("query-datasets --json written row by row is one array, empty or not", "[cli]") {
  CliRepo r;
  const auto ids = [](const std::string& out) {
    size_t n = 0;
    for (size_t at = out.find("{\"id\":"); at != std::string::npos;
         at = out.find("{\"id\":", at + 1)) {
      ++n;
    }
    return n;
  };
  auto all = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--json"});
  CHECK(all.out.rfind("[{\"id\":", 0) == 0);
  CHECK(all.out.size() > 3);
  CHECK(all.out.substr(all.out.size() - 3) == "}]\n");
  CHECK(ids(all.out) == 3);
  CHECK(Contains(all.out, "},{\"id\":"));
  auto one = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where",
                   "exposure = 11", "--json"});
  CHECK(ids(one.out) == 1);
  CHECK(Contains(one.out, "\"exposure\":11"));
  auto none = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/raw/all", "--where",
                    "exposure = 12", "--json"});
  CHECK(none.out == "[]\n");
}

TEST_CASE("A write command reads what its edit needs through its own writer: one open",
          "[cli][registry]") {
  // A CLI process pays for every open it makes (the write-ahead logs
  // replayed, the table files opened): a write command that reads to build
  // its edit reads through the writer it opens anyway. Shown where a second,
  // read-only, open would fail: a reader makes a scratch folder in $TMPDIR.
  CliRepo r;
  r.Ok({"create-collection", r.repo(), "HSC/tagged", "--type", "TAGGED"});
  r.Write("exposure-12.csv", "instrument,exposure,physical_filter\nHSC,12,HSC-R\n");
  r.Write("raws-12.csv", "instrument,exposure,detector\nHSC,12,0\nHSC,12,1\n");
  const char* was = std::getenv("TMPDIR");
  const std::string saved = was != nullptr ? was : "";
  setenv("TMPDIR", r.Path("no-such-folder").c_str(), 1);
  auto reader = RunStarlog({"find-dataset", r.repo(), "bias", "--data-id",
                            "instrument=HSC,detector=1", "--collections", "calib/run"});
  CHECK(reader.exit_code != 0);
  CHECK(Contains(reader.err, "scratch folder"));
  const std::vector<std::vector<std::string>> edits = {
      {"insert-dimension-records", r.repo(), "exposure", r.Path("exposure-12.csv")},
      {"register-datasets", r.repo(), "raw", "HSC/raw/all", r.Path("raws-12.csv")},
      {"register-dataset-type", r.repo(), "flat", "ExposureF", "instrument", "detector"},
      {"associate", r.repo(), "HSC/tagged", "--dataset-type", "raw", "--collections",
       "HSC/raw/all"},
      {"disassociate", r.repo(), "HSC/tagged", "--dataset-type", "raw", "--where", "exposure = 12"},
      {"certify-calibrations", r.repo(), "calib/run", "HSC/calib/DM-1", "bias", "--begin-date",
       "2024-01-01", "--end-date", "2024-12-31"},
      {"decertify-calibrations", r.repo(), "HSC/calib/DM-1", "bias", "--begin-date", "2024-05-01",
       "--end-date", "2024-07-01", "--data-id", "instrument=HSC,detector=1"},
      {"snapshot", "create", r.repo(), "before-flats"},
  };
  std::vector<CliResult> results;
  for (const auto& args : edits) results.push_back(RunStarlog(args));
  if (was != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  for (size_t i = 0; i < edits.size(); ++i) {
    INFO(edits[i][0] << " said: " << results[i].err);
    CHECK(results[i].exit_code == 0);
  }
  auto tagged = r.Ok({"query-datasets", r.repo(), "raw", "--collections", "HSC/tagged", "--json"});
  CHECK(Contains(tagged.out, "\"exposure\":10"));
  CHECK(!Contains(tagged.out, "\"exposure\":12"));
  auto at = r.Ok({"find-dataset", r.repo(), "bias", "--data-id", "instrument=HSC,detector=1",
                  "--collections", "HSC/calib/DM-1", "--time", "2024-03-01T00:00:00"});
  CHECK(Contains(at.out, "[2024-01-01T00:00:00, 2024-05-01T00:00:00)"));
  CHECK(Contains(r.Ok({"snapshot", "list", r.repo()}).out, "before-flats"));
}
