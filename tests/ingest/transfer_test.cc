// Placing files, describing them and importing bundles with paths that try
// to leave the root, enter .starlog, or name a FIFO or a device: every one is
// refused before a file is touched, and no source is lost.

#include "starlog/ingest/transfer.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/bundle.h"
#include "tests/engine/registry_test_util.h"
#include "tests/ingest/bundle_text.h"
#include "tests/testutil/fifo_guard.h"
#include "tests/testutil/registry_fixture.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using namespace starlog::ingest;
using testutil::GuardedFifo;
using testutil::RegistryFixture;
using testutil::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr char kRawPath[] = "HSC/raw/all/raw_100_1.fits";

void WriteFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A source repository holding one raw with a real file, exported as a bundle
// whose manifest a test then rewrites, and an empty target repository.
struct BundleCase {
  BundleCase() {
    WriteFile(source.root() + "/" + kRawPath, "raw pixels");
    const codec::Artifact artifact = DescribeFile(source.root(), kRawPath).value();
    source.Append(codec::RegisterDatasets{
        "HSC/raw/all", "raw", {{RandomDatasetId(), RegistryFixture::RawId(100, 1), artifact}}});
    auto view = source.View();
    DatasetQuery query;
    query.dataset_type = "raw";
    query.collections = {"HSC/raw/all"};
    auto refs = view.QueryDatasets(query).value();
    REQUIRE(refs.size() == 1);
    REQUIRE(ExportBundle(source.store(), view, refs, bundle).ok());
    CreateOptions options;
    options.store.sync = false;
    target = std::move(EventStore::Create(dir.Sub("repo"), options)).value();
    empty_head = target->head().sequence;
  }

  // Makes the manifest name the dataset's file "path" instead.
  void SetManifestPath(const std::string& path) {
    const std::string manifest = bundle + "/bundle.jsonl";
    std::string text = ReadFile(manifest);
    const std::string old = std::string("\"") + kRawPath + "\"";
    const size_t at = text.find(old);
    REQUIRE(at != std::string::npos);
    text.replace(at, old.size(), "\"" + path + "\"");
    std::ofstream(manifest, std::ios::binary) << testutil::Resign(text);
  }

  std::string BundleFile() const { return bundle + "/files/" + kRawPath; }

  RegistryFixture source;
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
  std::unique_ptr<EventStore> target;
  uint64_t empty_head = 0;
};

bool DescribeRefused(const std::string& path) {
  auto described =
      DescribeFile(fs::path(path).parent_path().string(), fs::path(path).filename().string());
  return described.status().IsInvalidArgument();
}

bool PlaceRefused(const std::string& path) {
  auto placed =
      PlaceFile(path, fs::path(path).parent_path().string(), "placed/z.fits", TransferMode::kCopy);
  return placed.status().IsInvalidArgument() && Says(placed.status(), "character device");
}

}  // namespace

TEST_CASE(
    "import --transfer move of a manifest path climbing out of the root to the bundle's "
    "own file keeps that file and changes nothing",
    "[engine][transfer][bundle]") {
  BundleCase c;
  // Enough ".." to reach "/" from either folder, then the bundle file's own
  // absolute path: from the bundle's files and from the root alike it names
  // the same file, which looks "already in place".
  std::string climb;
  for (int i = 0; i < 64; ++i) climb += "../";
  c.SetManifestPath(climb + c.BundleFile().substr(1));
  auto imported = ImportBundle(*c.target, c.bundle, TransferMode::kMove, "importer");
  CHECK(imported.status().IsInvalidArgument());
  CHECK(ReadFile(c.BundleFile()) == "raw pixels");
  CHECK(c.target->head().sequence == c.empty_head);
}

TEST_CASE("import --transfer copy of a path outside the root creates nothing there",
          "[engine][transfer][bundle]") {
  BundleCase c;
  // files/../outside/x.fits is in the bundle folder, so its checksum matches;
  // <root>/../outside/x.fits would be beside the repository.
  WriteFile(c.bundle + "/outside/x.fits", "raw pixels");
  c.SetManifestPath("../outside/x.fits");
  auto imported = ImportBundle(*c.target, c.bundle, TransferMode::kCopy, "importer");
  CHECK(imported.status().IsInvalidArgument());
  CHECK_FALSE(fs::exists(c.dir.Sub("outside")));  // Not even its folder.
  CHECK(c.target->head().sequence == c.empty_head);
}

TEST_CASE("A bundle path into .starlog plants nothing in the registry's folder",
          "[engine][transfer][bundle]") {
  BundleCase c;
  const std::string planted = ".starlog/registry/999999.log";
  WriteFile(c.bundle + "/files/" + planted, "raw pixels");
  c.SetManifestPath(planted);
  auto imported = ImportBundle(*c.target, c.bundle, TransferMode::kCopy, "importer");
  CHECK(imported.status().IsInvalidArgument());
  CHECK(Says(imported.status(), ".starlog"));
  CHECK_FALSE(fs::exists(c.target->root() + "/" + planted));
  CHECK(c.target->head().sequence == c.empty_head);
}

TEST_CASE("A bundle file that is a link out of the bundle is refused, not read",
          "[engine][transfer][bundle]") {
  BundleCase c;
  WriteFile(c.dir.Sub("elsewhere/secret"), "raw pixels");
  fs::remove(c.BundleFile());
  fs::create_symlink(c.dir.Sub("elsewhere/secret"), c.BundleFile());
  auto imported = ImportBundle(*c.target, c.bundle, TransferMode::kMove, "importer");
  CHECK(imported.status().IsInvalidArgument());
  CHECK(fs::exists(c.dir.Sub("elsewhere/secret")));
  CHECK(c.target->head().sequence == c.empty_head);
}

TEST_CASE("Move onto an identical file removes the source only once committed",
          "[engine][transfer]") {
  TempDir dir;
  fs::create_directories(dir.Sub("root"));
  WriteFile(dir.Sub("root/a/x.fits"), "same");
  WriteFile(dir.Sub("in/x.fits"), "same");
  auto placed = PlaceFile(dir.Sub("in/x.fits"), dir.Sub("root"), "a/x.fits", TransferMode::kMove);
  REQUIRE(placed.ok());
  CHECK(fs::exists(dir.Sub("in/x.fits")));  // The registration has not happened yet.
  UndoPlace(*placed);
  CHECK(fs::exists(dir.Sub("in/x.fits")));
  CHECK(fs::exists(dir.Sub("root/a/x.fits")));
  CommitPlace(*placed);
  CHECK_FALSE(fs::exists(dir.Sub("in/x.fits")));
  CHECK(fs::exists(dir.Sub("root/a/x.fits")));
}

TEST_CASE("Move of a file that already is its own target never removes it", "[engine][transfer]") {
  TempDir dir;
  WriteFile(dir.Sub("root/a/x.fits"), "only copy");
  fs::create_directories(dir.Sub("in"));
  fs::create_symlink(dir.Sub("root/a/x.fits"), dir.Sub("in/x.fits"));
  for (const std::string& source : {dir.Sub("root/a/x.fits"), dir.Sub("in/x.fits")}) {
    INFO(source);
    auto placed = PlaceFile(source, dir.Sub("root"), "a/x.fits", TransferMode::kMove);
    REQUIRE(placed.ok());
    CHECK(placed->artifact.path == "a/x.fits");
    UndoPlace(*placed);
    CommitPlace(*placed);
    CHECK(ReadFile(dir.Sub("root/a/x.fits")) == "only copy");
  }
}

TEST_CASE("PlaceFile refuses targets outside the root or in .starlog before touching anything",
          "[engine][transfer]") {
  TempDir dir;
  fs::create_directories(dir.Sub("root/.starlog"));
  fs::create_directories(dir.Sub("outside"));
  fs::create_directory_symlink(dir.Sub("outside"), dir.Sub("root/link"));
  WriteFile(dir.Sub("in/x.fits"), "bytes");
  for (const char* relative : {"../outside/x.fits", "link/x.fits", ".starlog/x.fits",
                               "a/../../outside/x.fits", "/abs/x.fits"}) {
    for (TransferMode mode : {TransferMode::kCopy, TransferMode::kMove, TransferMode::kSymlink}) {
      INFO(relative << " " << TransferModeName(mode));
      auto placed = PlaceFile(dir.Sub("in/x.fits"), dir.Sub("root"), relative, mode);
      CHECK(placed.status().IsInvalidArgument());
      CHECK(fs::exists(dir.Sub("in/x.fits")));
    }
  }
  CHECK(fs::is_empty(dir.Sub("outside")));
  CHECK(fs::is_empty(dir.Sub("root/.starlog")));
}

TEST_CASE("A FIFO as a dataset's file is refused at once, never opened for reading",
          "[engine][transfer][fifo]") {
  TempDir dir;
  fs::create_directories(dir.Sub("root"));
  GuardedFifo fifo(dir.Sub("pipe.fits"));
  auto described = DescribeFile(dir.path(), "pipe.fits");
  CHECK(described.status().IsInvalidArgument());
  CHECK(Says(described.status(), "FIFO"));
  for (TransferMode mode : {TransferMode::kCopy, TransferMode::kMove, TransferMode::kHardlink}) {
    INFO(TransferModeName(mode));
    auto placed = PlaceFile(fifo.path(), dir.Sub("root"), "a/pipe.fits", mode);
    CHECK(placed.status().IsInvalidArgument());
    CHECK(Says(placed.status(), "FIFO"));
  }
  CHECK(fs::is_empty(dir.Sub("root")));
  CHECK(fs::is_fifo(fifo.path()));
}

TEST_CASE("A link to /dev/zero as a dataset's file is refused, not read forever",
          "[engine][transfer][fifo]") {
  TempDir dir;
  fs::create_symlink("/dev/zero", dir.Sub("zero.fits"));
  // In a child that an alarm ends: a regression would read forever.
  CHECK(testutil::ReturnsTrueWithin(5, DescribeRefused, dir.Sub("zero.fits")));
  CHECK(testutil::ReturnsTrueWithin(5, PlaceRefused, dir.Sub("zero.fits")));
}

TEST_CASE("DescribeFileInRoot checks a path from outside before reading it", "[engine][transfer]") {
  TempDir dir;
  const std::string registry_file = engine::RegistryPath(dir.Sub("root")) + "/CURRENT";
  WriteFile(registry_file, "MANIFEST-1");
  WriteFile(dir.Sub("secret"), "s");
  WriteFile(dir.Sub("root/ok/x.fits"), "x");
  fs::create_symlink(registry_file, dir.Sub("root/ok/into"));
  fs::create_symlink(dir.Sub("secret"), dir.Sub("root/ok/linked_out"));
  const std::string root = dir.Sub("root");
  CHECK(DescribeFileInRoot(root, "ok/x.fits").ok());
  // A link out of the root is what the symlink transfer modes make.
  CHECK(DescribeFileInRoot(root, "ok/linked_out").ok());
  for (const char* bad : {"../secret", ".starlog/registry/CURRENT", "ok/into", "/etc/hostname"}) {
    INFO(bad);
    CHECK(DescribeFileInRoot(root, bad).status().IsInvalidArgument());
  }
}
