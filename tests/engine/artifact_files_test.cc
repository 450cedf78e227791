#include "starlog/engine/artifact_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/testutil/temp_dir.h"

namespace starlog::engine {
namespace {

namespace fs = std::filesystem;

// A file under a fresh root and the artifact that records it as it is now.
struct Recorded {
  testutil::TempDir dir;
  codec::Uuid id;
  codec::Artifact artifact;

  Recorded() {
    std::ofstream(dir.Sub("a.fits"), std::ios::binary) << "some pixels";
    artifact = DescribeFile(dir.path(), "a.fits").value();
  }
  std::optional<FileProblem> Check(bool contents) const {
    return CheckRecordedFile(dir.path(), id, artifact, contents);
  }
  void Overwrite(const std::string& bytes) const {
    std::ofstream(dir.Sub("a.fits"), std::ios::binary) << bytes;
  }
};

TEST_CASE("CheckRecordedFile finds an intact file intact, by stat and by contents",
          "[artifact_files]") {
  Recorded r;
  CHECK_FALSE(r.Check(false).has_value());
  CHECK_FALSE(r.Check(true).has_value());
}

TEST_CASE("CheckRecordedFile reports a missing file as missing", "[artifact_files]") {
  Recorded r;
  fs::remove(r.dir.Sub("a.fits"));
  for (bool contents : {false, true}) {
    auto problem = r.Check(contents);
    REQUIRE(problem.has_value());
    CHECK(problem->kind == FileProblem::Kind::kMissing);
    CHECK(problem->artifact.path == "a.fits");
    CHECK(FileProblemName(problem->kind) == "missing");
  }
}

TEST_CASE("CheckRecordedFile reports a wrong size without reading the file", "[artifact_files]") {
  Recorded r;
  r.Overwrite("short");
  auto problem = r.Check(false);
  REQUIRE(problem.has_value());
  CHECK(problem->kind == FileProblem::Kind::kSize);
  CHECK(problem->detail == "5 bytes, 11 recorded");
}

TEST_CASE("CheckRecordedFile finds altered bytes of the right size only by contents",
          "[artifact_files]") {
  Recorded r;
  r.Overwrite("some pixelz");
  CHECK_FALSE(r.Check(false).has_value());
  auto problem = r.Check(true);
  REQUIRE(problem.has_value());
  CHECK(problem->kind == FileProblem::Kind::kChecksum);
}

TEST_CASE("CheckRecordedFile refuses a recorded path that could leave the root",
          "[artifact_files]") {
  Recorded r;
  r.artifact.path = "../a.fits";
  auto problem = r.Check(false);
  REQUIRE(problem.has_value());
  CHECK(problem->kind == FileProblem::Kind::kUnreadable);
}

}  // namespace
}  // namespace starlog::engine
