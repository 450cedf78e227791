// The butler's command and option names, where starlog's differ, answer as
// starlog's own do (issue #17 item 12), and --version says what it speaks.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/cli_runner.h"
#include "tests/testutil/temp_dir.h"

using starlog::testutil::Contains;
using starlog::testutil::RunStarlog;

TEST_CASE("ingest-files and --id-generation-mode register as register-datasets does",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(dir.path());
  REQUIRE(RunStarlog({"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"})
              .exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "a"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "b"}).exit_code == 0);
  auto ours = RunStarlog(
      {"register-datasets", repo, "bias", "a", dir.Sub("d.csv"), "--id-mode", "datatype-run"});
  REQUIRE(ours.exit_code == 0);
  auto butlers = RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"),
                             "--id-generation-mode", "dataid_type_run"});
  INFO(butlers.err);
  REQUIRE(butlers.exit_code == 0);
  CHECK(Contains(butlers.out, "registered 1 bias datasets in b"));
  // DATAID_TYPE_RUN is datatype-run: the same registration in starlog's
  // words makes the very same ids, so nothing changes (with random ids it
  // would be a conflict).
  auto again = RunStarlog(
      {"register-datasets", repo, "bias", "b", dir.Sub("d.csv"), "--id-mode", "datatype-run"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.out, "nothing changed"));
  CHECK(RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"), "--id-generation-mode",
                    "SOMETIMES"})
            .exit_code == 2);
  CHECK(RunStarlog({"ingest-files", repo, "bias", "b", dir.Sub("d.csv"), "--id-generation-mode",
                    "UNIQUE", "--id-mode", "unique"})
            .exit_code == 2);
  auto help = RunStarlog({"--help"});
  CHECK(Contains(help.out, "(also: ingest-files)"));
}

TEST_CASE("query-collections takes the butler's --collection-type and --chains spellings",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "run1"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "chain", "run1"}).exit_code == 0);
  auto ours = RunStarlog({"query-collections", repo, "--type", "CHAINED", "--chains", "no"});
  auto butlers = RunStarlog(
      {"query-collections", repo, "--collection-type", "chained", "--chains", "NO-CHILDREN"});
  REQUIRE(ours.exit_code == 0);
  CHECK(butlers.out == ours.out);
  CHECK(Contains(ours.out, "chain"));
  CHECK_FALSE(Contains(ours.out, "run1"));
  CHECK(RunStarlog({"query-collections", repo, "--chains", "SIDEWAYS"}).exit_code == 2);
}

TEST_CASE("query-collections --chains FLATTEN lists the searched collections flat, each once",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "r1"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "r2"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "cal", "--type", "CALIBRATION"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "inner", "r2,r1"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "outer", "cal,inner,r2"}).exit_code == 0);
  const auto lines = [](const std::string& out) {
    std::vector<std::string> rows;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      rows.push_back(line);
    }
    return rows;
  };
  // A named chain: what a search through it visits, in its order, each once,
  // and no chain among them (the butler's flattenChains).
  auto flat = RunStarlog({"query-collections", repo, "outer", "--chains", "FLATTEN"});
  INFO(flat.out << flat.err);
  REQUIRE(flat.exit_code == 0);
  const auto rows = lines(flat.out);
  REQUIRE(rows.size() == 5);  // A header and its rule, then the rows.
  CHECK(rows[0].rfind("NAME", 0) == 0);
  CHECK(rows[2].rfind("cal ", 0) == 0);
  CHECK(Contains(rows[2], "CALIBRATION"));
  CHECK(rows[3].rfind("r2 ", 0) == 0);
  CHECK(rows[4].rfind("r1 ", 0) == 0);
  CHECK_FALSE(Contains(flat.out, "inner"));
  CHECK_FALSE(Contains(flat.out, "CHAINED"));
  // The type filter applies after flattening: RUNs of the chain, no chain.
  auto runs =
      RunStarlog({"query-collections", repo, "outer", "--chains", "flatten", "--type", "RUN"});
  REQUIRE(runs.exit_code == 0);
  CHECK(lines(runs.out).size() == 4);
  CHECK_FALSE(Contains(runs.out, "cal"));
  auto chained = RunStarlog(
      {"query-collections", repo, "--chains", "FLATTEN", "--collection-type", "CHAINED"});
  REQUIRE(chained.exit_code == 0);
  CHECK(lines(chained.out).size() <= 2);
  // Everything: each non-chained collection once.
  auto all = RunStarlog({"query-collections", repo, "--chains", "FLATTEN"});
  REQUIRE(all.exit_code == 0);
  CHECK(lines(all.out).size() == 5);
  // --json lists what the table lists, in its order.
  auto json = RunStarlog({"query-collections", repo, "outer", "--chains", "FLATTEN", "--json"});
  INFO(json.out << json.err);
  REQUIRE(json.exit_code == 0);
  const size_t cal = json.out.find("\"cal\"");
  const size_t r2 = json.out.find("\"r2\"");
  const size_t r1 = json.out.find("\"r1\"");
  CHECK(cal != std::string::npos);
  CHECK(r2 != std::string::npos);
  CHECK(r1 != std::string::npos);
  CHECK(cal < r2);
  CHECK(r2 < r1);
  CHECK_FALSE(Contains(json.out, "inner"));
  CHECK_FALSE(Contains(json.out, "CHAINED"));
  auto json_runs = RunStarlog(
      {"query-collections", repo, "outer", "--chains", "FLATTEN", "--type", "RUN", "--json"});
  REQUIRE(json_runs.exit_code == 0);
  CHECK_FALSE(Contains(json_runs.out, "\"cal\""));
}

TEST_CASE("query-collections --chains TABLE and the inverse forms show children and parents",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "r1"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "r2"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "inner", "r1,r2"}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "outer", "inner"}).exit_code == 0);

  auto table = RunStarlog({"query-collections", repo, "inner", "--chains", "TABLE"});
  REQUIRE(table.exit_code == 0);
  CHECK(Contains(table.out, "CHILDREN"));
  CHECK(Contains(table.out, "inner  CHAINED  r1\n"));
  CHECK(Contains(table.out, "                r2\n"));
  // No chain among the results: no children column, as the butler drops it.
  auto runs = RunStarlog({"query-collections", repo, "r*", "--chains", "table"});
  CHECK_FALSE(Contains(runs.out, "CHILDREN"));

  auto parents = RunStarlog({"query-collections", repo, "r1", "--chains", "INVERSE-TABLE"});
  CHECK(Contains(parents.out, "PARENTS"));
  CHECK(Contains(parents.out, "r1    RUN   inner\n"));

  auto up = RunStarlog({"query-collections", repo, "r1", "--chains", "inverse-tree"});
  INFO(up.out);
  CHECK(Contains(up.out, "r1         RUN\n"));
  CHECK(Contains(up.out, "  inner    CHAINED\n"));
  CHECK(Contains(up.out, "    outer  CHAINED\n"));
}

TEST_CASE("remove-collections removes by glob, leaves RUNs, and asks before chains lose children",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", repo, "--no-policy"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "u/a/run"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "u/a/tag", "--type", "TAGGED"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "u/a/cal", "--type", "CALIBRATION"}).exit_code ==
          0);
  REQUIRE(RunStarlog({"collection-chain", repo, "defaults", "u/a/tag,u/a/run"}).exit_code == 0);

  auto dry = RunStarlog({"remove-collections", repo, "u/a/*", "--dry-run"});
  REQUIRE(dry.exit_code == 0);
  CHECK(Contains(dry.out, "would remove 2 collections"));
  CHECK(Contains(dry.out, "u/a/cal     CALIBRATION"));
  CHECK(Contains(dry.out, "These RUN collections are not removed"));
  CHECK(Contains(dry.out, "u/a/run"));

  // A chain that stays lists u/a/tag: refused, naming it, and nothing goes.
  auto refused = RunStarlog({"remove-collections", repo, "u/a/*", "--no-confirm"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "'u/a/tag' is in chain 'defaults'"));
  CHECK(Contains(refused.err, "--remove-from-parents"));
  CHECK(RunStarlog({"query-collections", repo, "u/a/cal"}).out.find("u/a/cal") !=
        std::string::npos);

  auto removed =
      RunStarlog({"remove-collections", repo, "u/a/*", "--remove-from-parents", "--no-confirm"});
  INFO(removed.err);
  REQUIRE(removed.exit_code == 0);
  CHECK(Contains(removed.out, "removed collection u/a/cal"));
  CHECK(Contains(removed.out, "removed collection u/a/tag"));
  auto left = RunStarlog({"query-collections", repo, "--chains", "TABLE"});
  CHECK_FALSE(Contains(left.out, "u/a/tag"));
  CHECK_FALSE(Contains(left.out, "u/a/cal"));
  CHECK(Contains(left.out, "defaults  CHAINED  u/a/run"));

  auto nothing = RunStarlog({"remove-collections", repo, "u/b/*"});
  CHECK(nothing.exit_code == 0);
  CHECK(Contains(nothing.out, "nothing removed"));
  // A RUN named exactly is remove-runs' work.
  auto run = RunStarlog({"remove-collections", repo, "u/a/run", "--no-confirm"});
  CHECK(run.exit_code == 0);
  CHECK(Contains(run.out, "not removed"));
}

TEST_CASE("The version says which formats and protocols it speaks", "[cli]") {
  auto v = RunStarlog({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(Contains(v.out, "starlog "));
  CHECK(Contains(v.out, "repository format 2"));
  CHECK(Contains(v.out, "service protocol"));
}

TEST_CASE("query-collections -t and query-dataset-types --collections read what collections hold",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(dir.path());
  for (const char* type : {"bias", "dark", "flat"}) {
    REQUIRE(RunStarlog({"register-dataset-type", repo, type, "ExposureF", "instrument", "detector"})
                .exit_code == 0);
  }
  REQUIRE(RunStarlog({"create-collection", repo, "a"}).exit_code == 0);
  REQUIRE(RunStarlog({"create-collection", repo, "b"}).exit_code == 0);
  REQUIRE(RunStarlog({"register-datasets", repo, "bias", "a", dir.Sub("d.csv")}).exit_code == 0);
  REQUIRE(RunStarlog({"register-datasets", repo, "dark", "b", dir.Sub("d.csv")}).exit_code == 0);
  REQUIRE(RunStarlog({"collection-chain", repo, "both", "a,b"}).exit_code == 0);

  auto shown = RunStarlog({"query-collections", repo, "-t"});
  INFO(shown.out << shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(Contains(shown.out, "DATASET TYPES"));
  CHECK(Contains(shown.out, "both  CHAINED       bias, dark\n"));
  CHECK(Contains(shown.out, "  b   RUN           dark\n"));
  auto excluded = RunStarlog(
      {"query-collections", repo, "both", "--show-dataset-types", "--exclude-dataset-types", "b*"});
  CHECK(Contains(excluded.out, "both  CHAINED       dark\n"));
  CHECK(RunStarlog({"query-collections", repo, "--exclude-dataset-types", "b*"}).exit_code == 2);
  auto json = RunStarlog({"query-collections", repo, "a", "-t", "--json"});
  CHECK(Contains(json.out, "\"dataset_types\":[\"bias\"]"));

  auto types = RunStarlog({"query-dataset-types", repo, "--collections", "b"});
  CHECK(Contains(types.out, "dark"));
  CHECK_FALSE(Contains(types.out, "bias"));
  CHECK_FALSE(Contains(types.out, "flat"));
  auto chained = RunStarlog({"query-dataset-types", repo, "--collections", "both", "--components"});
  CHECK(Contains(chained.out, "bias"));
  CHECK(Contains(chained.out, "dark"));
  CHECK_FALSE(Contains(chained.out, "flat"));
  CHECK(RunStarlog({"query-dataset-types", repo, "--collections", "nope"}).exit_code == 1);
}

TEST_CASE("query-datasets takes several types and globs, --order-by and --limit as the butler's",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(
      dir.path(), "instrument,detector\nHSC,1\nHSC,2\nHSC,3\n");
  for (const char* type : {"bias", "dark", "flat"}) {
    REQUIRE(RunStarlog({"register-dataset-type", repo, type, "ExposureF", "instrument", "detector"})
                .exit_code == 0);
  }
  REQUIRE(RunStarlog({"create-collection", repo, "a"}).exit_code == 0);
  for (const char* type : {"bias", "dark"}) {
    REQUIRE(RunStarlog({"register-datasets", repo, type, "a", dir.Sub("d.csv")}).exit_code == 0);
  }
  // One table per type, the types by name, a blank line between.
  auto both = RunStarlog({"query-datasets", repo, "dark", "b*", "--collections", "a"});
  INFO(both.out << both.err);
  REQUIRE(both.exit_code == 0);
  const size_t bias = both.out.find("\nbias "), dark = both.out.find("\ndark ");
  REQUIRE(bias != std::string::npos);
  REQUIRE(dark != std::string::npos);
  CHECK(bias < dark);
  CHECK(Contains(both.out, "\n\nTYPE "));
  CHECK(RunStarlog({"query-datasets", repo, "--collections", "a"}).out == both.out);  // Every type.
  CHECK(RunStarlog({"query-datasets", repo, "*", "--collections", "a"}).out == both.out);
  auto json = RunStarlog({"query-datasets", repo, "*", "--collections", "a", "--json"});
  CHECK(Contains(json.out, "\"dataset_type\":\"bias\""));
  CHECK(Contains(json.out, "\"dataset_type\":\"dark\""));
  CHECK(json.out.rfind("[", 0) == 0);  // One array for all of them.

  // --order-by: descending detector within each type.
  auto ordered = RunStarlog(
      {"query-datasets", repo, "bias", "--collections", "a", "--order-by", "-detector", "--json"});
  REQUIRE(ordered.exit_code == 0);
  const size_t d3 = ordered.out.find("\"detector\":3"), d1 = ordered.out.find("\"detector\":1");
  CHECK(d3 < d1);
  auto unknown = RunStarlog(
      {"query-datasets", repo, "bias", "--collections", "a", "--order-by", "detector,exposure"});
  CHECK(unknown.exit_code == 1);
  CHECK(Contains(unknown.err, "order by 'exposure'"));
  CHECK(RunStarlog({"query-datasets", repo, "bias", "--collections", "a", "--order-by", "-"})
            .exit_code == 2);

  // --limit N: N rows in all; -N: N and a warning when there were more; 0: all.
  const auto rows = [](const std::string& out) {
    size_t n = 0;
    for (size_t at = 0; (at = out.find("\"id\":", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  auto four = RunStarlog({"query-datasets", repo, "--collections", "a", "--json", "--limit", "4"});
  CHECK(rows(four.out) == 4);
  CHECK(four.err.empty());
  auto warned =
      RunStarlog({"query-datasets", repo, "--collections", "a", "--json", "--limit", "-4"});
  CHECK(rows(warned.out) == 4);
  CHECK(Contains(warned.err, "the limit of 4 rows was reached"));
  auto exact =
      RunStarlog({"query-datasets", repo, "--collections", "a", "--json", "--limit", "-6"});
  CHECK(rows(exact.out) == 6);
  CHECK(exact.err.empty());  // Six match: the cap is not passed.
  CHECK(rows(RunStarlog({"query-datasets", repo, "--collections", "a", "--json", "--limit", "0"})
                 .out) == 6);
  auto quiet = RunStarlog({"query-datasets", repo, "--collections", "a", "--json", "--limit", "-1",
                           "--log-level", "ERROR"});
  CHECK(quiet.err.empty());
  for (const char* bad : {"x", "", "1.5", "-9223372036854775808"}) {
    CHECK(RunStarlog({"query-datasets", repo, "--collections", "a", "--limit", bad}).exit_code ==
          2);
  }
  CHECK(RunStarlog({"query-datasets", repo, "bias", "nope", "--collections", "a"}).exit_code == 1);
}

// daf_butler's testExposureQueries on its ci_hsc-subset records: the five
// first HSC detectors by full_name, as records and as data IDs.
TEST_CASE("query-data-ids and query-dimension-records take --order-by and --limit as the butler's",
          "[cli][butler]") {
  starlog::testutil::TempDir dir;
  const std::string repo = starlog::testutil::CreateHscRepository(
      dir.path(),
      "instrument,detector,full_name\nHSC,0,1_53\nHSC,1,1_54\nHSC,4,1_42\nHSC,5,1_43\n"
      "HSC,6,1_44\nHSC,10,1_36\nHSC,11,1_37\nHSC,12,1_38\nHSC,16,0_30\nHSC,17,0_29\n"
      "HSC,18,0_28\nHSC,22,0_27\nHSC,23,0_26\nHSC,24,0_25\nHSC,25,0_24\nHSC,100,0_31\n");
  // Exposures on two nights, 903338 the earliest, 903342 without a timespan.
  std::ofstream(dir.Sub("e.json")) << R"([{"instrument":"HSC","exposure":903334,"day_obs":20131102,
  "timespan_begin":"2013-11-02T10:00:00","timespan_end":"2013-11-02T10:01:00"},
 {"instrument":"HSC","exposure":903336,"day_obs":20131102,
  "timespan_begin":"2013-11-02T10:05:00","timespan_end":"2013-11-02T10:06:00"},
 {"instrument":"HSC","exposure":903338,"day_obs":20130617,
  "timespan_begin":"2013-06-17T10:00:00","timespan_end":"2013-06-17T10:01:00"},
 {"instrument":"HSC","exposure":903342,"day_obs":20131102}])";
  std::ofstream(dir.Sub("n.csv")) << "instrument,day_obs\nHSC,20130617\nHSC,20131102\n";
  REQUIRE(RunStarlog({"insert-dimension-records", repo, "day_obs", dir.Sub("n.csv")}).exit_code ==
          0);
  auto inserted = RunStarlog({"insert-dimension-records", repo, "exposure", dir.Sub("e.json")});
  INFO(inserted.err);
  REQUIRE(inserted.exit_code == 0);
  // The first integer of each JSON row's "key".
  const auto column = [](const std::string& json, const std::string& key) {
    std::vector<int64_t> out;
    const std::string tag = "\"" + key + "\":";
    for (size_t at = 0; (at = json.find(tag, at)) != std::string::npos; at += tag.size()) {
      out.push_back(std::stoll(json.substr(at + tag.size())));
    }
    return out;
  };
  using Ids = std::vector<int64_t>;
  for (const char* command : {"query-dimension-records", "query-data-ids"}) {
    INFO(command);
    auto first = RunStarlog({command, repo, "detector", "--where", "instrument = HSC", "--order-by",
                             "full_name", "--limit", "5", "--json"});
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(column(first.out, "detector") == Ids{25, 24, 23, 22, 18});
    CHECK(first.err.empty());
    // -detector; repeated and comma-separated names alike.
    auto down = RunStarlog(
        {command, repo, "detector", "--order-by", "-detector", "--limit", "4", "--json"});
    CHECK(column(down.out, "detector") == Ids{100, 25, 24, 23});
    auto two = RunStarlog(
        {command, repo, "exposure", "--order-by", "-day_obs", "--order-by", "-exposure", "--json"});
    CHECK(column(two.out, "exposure") == Ids{903342, 903336, 903334, 903338});
    // The butler's default, -20000: all 16, no warning.
    auto all = RunStarlog({command, repo, "detector", "--json"});
    CHECK(column(all.out, "detector").size() == 16);
    CHECK(all.err.empty());
    auto warned = RunStarlog({command, repo, "detector", "--limit", "-3", "--json"});
    CHECK(column(warned.out, "detector") == Ids{0, 1, 4});
    CHECK(Contains(warned.err, "the limit of 3 rows was reached"));
    auto exact = RunStarlog({command, repo, "detector", "--limit", "-16", "--json"});
    CHECK(column(exact.out, "detector").size() == 16);
    CHECK(exact.err.empty());
    CHECK(column(RunStarlog({command, repo, "detector", "--limit", "0", "--json"}).out, "detector")
              .size() == 16);
    // Without an order the rows stream: the first N in key order.
    CHECK(column(RunStarlog({command, repo, "detector", "--limit", "2", "--json"}).out,
                 "detector") == Ids{0, 1});
    auto none = RunStarlog({command, repo, "detector", "--where", "detector = 999", "--json"});
    CHECK(none.exit_code == 0);
    CHECK(none.out == "[]\n");
    auto unknown = RunStarlog({command, repo, "detector", "--order-by", "detector,attract"});
    CHECK(unknown.exit_code == 1);
    CHECK(Contains(unknown.err, "order by 'attract'"));
    CHECK(unknown.out.empty());
    CHECK(RunStarlog({command, repo, "detector", "--order-by", "-"}).exit_code == 2);
    CHECK(RunStarlog({command, repo, "detector", "--limit", "x"}).exit_code == 2);
    auto help = RunStarlog({command, "--help"});
    CHECK(Contains(help.out, "--order-by NAMES"));
    CHECK(Contains(help.out, "--limit N"));
  }
  // Records by their own timespan: the latest first, one without last.
  auto latest = RunStarlog(
      {"query-dimension-records", repo, "exposure", "--order-by", "-timespan.begin", "--json"});
  INFO(latest.err);
  CHECK(column(latest.out, "exposure") == Ids{903336, 903334, 903338, 903342});
  auto earliest = RunStarlog({"query-data-ids", repo, "exposure", "--order-by",
                              "exposure.timespan.begin", "--limit", "2", "--json"});
  CHECK(column(earliest.out, "exposure") == Ids{903338, 903334});
  // A table keeps the order too.
  auto table = RunStarlog(
      {"query-dimension-records", repo, "detector", "--order-by", "full_name", "--limit", "2"});
  CHECK(table.out.find("0_24") < table.out.find("0_25"));
}
