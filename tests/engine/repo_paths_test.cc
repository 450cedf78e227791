#include "starlog/engine/repo_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/engine/event_store.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::engine {
namespace {

namespace fs = std::filesystem;

void WriteFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A file of the registry's own, in the private folder of "root".
std::string RegistryFile(const std::string& root) { return RegistryPath(root) + "/CURRENT"; }

// "<dir>/repo", holding a dataset's file raw/a.fits and RegistryFile.
std::string MakeRoot(const testutil::TempDir& dir) {
  const std::string root = dir.Sub("repo");
  WriteFile(root + "/raw/a.fits", "data");
  WriteFile(RegistryFile(root), "x");
  return root;
}

TEST_CASE("ValidateRelativePath takes plain relative paths", "[paths]") {
  CHECK(ValidateRelativePath("raw/100/raw_100_0.fits").ok());
  CHECK(ValidateRelativePath("a").ok());
  CHECK(ValidateRelativePath("raw/.starlog/x").ok());  // Only the top-level folder is private.
  CHECK(ValidateRelativePath("caf\xC3\xA9/x.fits").ok());
}

TEST_CASE("ValidateRelativePath refuses what could leave the root or reach the registry",
          "[paths]") {
  for (const char* bad : {"", "/etc/passwd", "../x", "raw/../../etc/passwd", "raw/./x", "raw//x",
                          "raw/", ".", "..", ".starlog", ".starlog/registry/999999.log"}) {
    INFO(bad);
    CHECK(ValidateRelativePath(bad).IsInvalidArgument());
  }
  CHECK(ValidateRelativePath(std::string("raw/a\0b", 7)).IsInvalidArgument());
  CHECK(ValidateRelativePath("raw/\x1b[31mred").IsInvalidArgument());
  CHECK(ValidateRelativePath("raw/\xFF.fits").IsInvalidArgument());
  CHECK(ValidateRelativePath(std::string(kMaxRelativePathLength + 1, 'a')).IsInvalidArgument());
}

TEST_CASE("ResolveFileInRoot follows links only as far as the root", "[paths]") {
  testutil::TempDir dir;
  const std::string root = MakeRoot(dir);
  WriteFile(dir.Sub("outside/secret.txt"), "secret");
  fs::create_directory_symlink(dir.Sub("outside"), root + "/evil");
  fs::create_symlink(root + "/raw/a.fits", root + "/raw/alias.fits");
  fs::create_directory_symlink(fs::path(root) / kPrivateFolder, root + "/sneaky");

  auto ok = ResolveFileInRoot(root, "raw/a.fits");
  REQUIRE(ok.ok());
  CHECK(*ok == fs::canonical(root + "/raw/a.fits").string());
  CHECK(ResolveFileInRoot(root, "raw/alias.fits").ok());  // A link that stays inside.
  CHECK(ResolveFileInRoot(root, "evil/secret.txt").status().IsInvalidArgument());
  CHECK(ResolveFileInRoot(root, "sneaky/registry/CURRENT").status().IsInvalidArgument());
  CHECK(ResolveFileInRoot(root, "raw/none.fits").status().IsNotFound());
  CHECK(ResolveFileInRoot(root, "raw").status().IsInvalidArgument());  // A folder.
}

TEST_CASE("ResolveFileInRoot and CheckRegularFile refuse FIFOs and devices", "[paths]") {
  testutil::TempDir dir;
  const std::string root = dir.Sub("repo");
  fs::create_directories(root + "/raw");
  REQUIRE(::mkfifo((root + "/raw/pipe.fits").c_str(), 0600) == 0);
  fs::create_symlink("/dev/zero", root + "/raw/zero.fits");
  const Status fifo = ResolveFileInRoot(root, "raw/pipe.fits").status();
  CHECK(fifo.IsInvalidArgument());
  CHECK(std::string(fifo.message()).find("FIFO") != std::string::npos);
  CHECK_FALSE(ResolveFileInRoot(root, "raw/zero.fits").ok());  // Outside, and a device.
  CHECK(CheckRegularFile(root + "/raw/pipe.fits").IsInvalidArgument());
  CHECK(CheckRegularFile("/dev/zero").IsInvalidArgument());
  CHECK(CheckRegularFile(root + "/raw/none").IsNotFound());
}

TEST_CASE("CheckTargetInRoot refuses a folder link that leads out of the root", "[paths]") {
  testutil::TempDir dir;
  const std::string root = dir.Sub("repo");
  fs::create_directories(root + "/raw");
  fs::create_directories(dir.Sub("outside"));
  fs::create_directory_symlink(dir.Sub("outside"), root + "/evil");
  CHECK(CheckTargetInRoot(root, "raw/new/deep/file.fits").ok());
  CHECK(CheckTargetInRoot(root, "fresh/file.fits").ok());
  CHECK(CheckTargetInRoot(root, "evil/file.fits").IsInvalidArgument());
  CHECK(CheckTargetInRoot(root, "evil/sub/file.fits").IsInvalidArgument());
  CHECK(CheckTargetInRoot(root, "../file.fits").IsInvalidArgument());
}

TEST_CASE("CheckArtifactInRoot lets a file link out, never into .starlog", "[paths]") {
  testutil::TempDir dir;
  const std::string root = MakeRoot(dir);
  WriteFile(dir.Sub("staging/b.fits"), "staged");
  fs::create_directories(dir.Sub("outside"));
  fs::create_symlink(dir.Sub("staging/b.fits"), root + "/raw/b.fits");  // As symlink transfer.
  fs::create_symlink(RegistryFile(root), root + "/raw/c.fits");
  fs::create_directory_symlink(dir.Sub("outside"), root + "/evil");
  WriteFile(dir.Sub("outside/d.fits"), "d");
  CHECK(CheckArtifactInRoot(root, "raw/a.fits").ok());
  CHECK(CheckArtifactInRoot(root, "raw/b.fits").ok());
  CHECK(CheckArtifactInRoot(root, "raw/c.fits").IsInvalidArgument());
  CHECK(CheckArtifactInRoot(root, "evil/d.fits").IsInvalidArgument());  // A folder leads out.
  CHECK(CheckArtifactInRoot(root, "raw/none.fits").IsNotFound());
  CHECK(CheckArtifactInRoot(root, "../x").IsInvalidArgument());
}

}  // namespace
}  // namespace starlog::engine
