// The export's external sort (ingest/export_sort.h): entries past its memory
// budget go to run files, merged back in order, each key once, and nothing
// is left in the scratch folder.

#include "ingest/export_sort.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>

#include "tests/testutil/temp_dir.h"

using starlog::Status;
using starlog::ingest::internal::ExternalSort;
using starlog::testutil::TempDir;
namespace fs = std::filesystem;

namespace {

// What "sort" gives back, in order.
std::vector<std::pair<std::string, std::string>> All(ExternalSort& sort) {
  std::vector<std::pair<std::string, std::string>> out;
  REQUIRE(sort.ForEach([&](std::string_view k, std::string_view v) {
                out.emplace_back(k, v);
                return Status::OK();
              })
              .ok());
  return out;
}

}  // namespace

TEST_CASE("The external sort spills past its budget and merges back in order, each key once",
          "[ingest][export]") {
  TempDir dir;
  const std::string scratch = dir.Sub("scratch");
  // Small entries, a budget of a few dozen: more runs than kMaxRuns, so
  // runs are merged as they are written too.
  const size_t budget = GENERATE(size_t{1} << 30, size_t{4} << 10);
  std::map<std::string, std::string> expected;  // The first value of each key.
  {
    ExternalSort sort(scratch, budget);
    std::mt19937 random(7);
    for (int i = 0; i < 20'000; ++i) {
      const std::string key = "k" + std::to_string(random() % 5'000);
      const std::string value = "v" + std::to_string(i);
      expected.emplace(key, value);
      REQUIRE(sort.Add(key, value).ok());
    }
    const auto all = All(sort);
    CHECK(all ==
          std::vector<std::pair<std::string, std::string>>(expected.begin(), expected.end()));
    CHECK(All(sort) == all);  // A second walk gives the same.
    if (budget < 20'000) {
      CHECK(sort.TEST_runs_written() > ExternalSort::kMaxRuns);
      CHECK(fs::exists(scratch));
    } else {
      CHECK(sort.TEST_runs_written() == 0);
    }
  }
  CHECK(!fs::exists(scratch));  // Removed with the sort.
}

TEST_CASE("The external sort stops at the first error its walk returns", "[ingest][export]") {
  TempDir dir;
  ExternalSort sort(dir.Sub("scratch"), 64);
  for (int i = 0; i < 100; ++i) REQUIRE(sort.Add(std::to_string(i), "x").ok());
  int seen = 0;
  const Status s = sort.ForEach([&](std::string_view, std::string_view) {
    return ++seen == 3 ? Status::IOError("disk full") : Status::OK();
  });
  CHECK(s.IsIOError());
  CHECK(seen == 3);
}
