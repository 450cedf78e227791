// A transfer between two real repositories with real files: the datasets
// arrive with their data IDs, files, records and memberships; a file that
// does not match what the source records, or a path leaving the
// destination's root, refuses the whole transfer; twice adds nothing. One
// rule a test.

#include "starlog/ingest/repository_transfer.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/repo_paths.h"
#include "tests/ingest/ingest_fixture.h"

using namespace starlog;
using namespace starlog::engine;
using namespace starlog::ingest;
using codec::CollectionType;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kJan = 1'704'067'200'000'000'000;  // 2024-01-01, TAI ns near enough.
constexpr int64_t kJul = 1'719'792'000'000'000'000;
constexpr int64_t kDec = 1'733'011'200'000'000'000;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file under "root" but the registry's own, relative to it.
std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->path().filename() == kPrivateFolder) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_directory()) out.push_back(fs::relative(it->path(), root).generic_string());
  }
  return out;
}

// The source: FakeCam exposure 10's raws ingested from real FITS files
// (detectors 0-2, with their records), and biases of detectors 0 and 1 with
// files in calib/run, certified into FakeCam/calib/DM-3 for [Jan, Jul) and
// [Jul, Dec), detector 1 tagged in FakeCam/picked, the chain FakeCam/calib
// over both. The destination: a new, empty repository.
struct Sites {
  Sites() {
    source.IngestExposure(3);
    Append(codec::RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true});
    Append(codec::CreateCollection{"calib/run", CollectionType::kRun, ""});
    Append(codec::CreateCollection{"FakeCam/calib/DM-3", CollectionType::kCalibration, ""});
    Append(codec::CreateCollection{"FakeCam/picked", CollectionType::kTagged, ""});
    codec::RegisterDatasets biases{"calib/run", "bias", {}};
    fs::create_directories(source.store->root() + "/calib/run");
    for (int64_t d : {0, 1}) {
      const std::string path = "calib/run/bias_" + std::to_string(d) + ".fits";
      std::ofstream(source.store->root() + "/" + path) << "bias pixels of " << d;
      const codec::FieldMap id = {{"instrument", "FakeCam"}, {"detector", d}};
      bias_ids.push_back(DeterministicDatasetId("bias", id, "calib/run"));
      biases.datasets.push_back(
          {bias_ids.back(), id, DescribeFile(source.store->root(), path).value()});
    }
    Append(biases);
    Append(codec::Certify{"FakeCam/calib/DM-3", "bias", {{bias_ids[0], {kJan, kJul}}}});
    Append(codec::Certify{"FakeCam/calib/DM-3", "bias", {{bias_ids[1], {kJul, kDec}}}});
    Append(codec::Tag{"FakeCam/picked", {bias_ids[1]}});
    Append(codec::CreateCollection{"FakeCam/calib", CollectionType::kChained, ""});
    Append(codec::SetChain{"FakeCam/calib", {"FakeCam/calib/DM-3", "FakeCam/picked"}});
    CreateOptions options;
    options.store.sync = false;
    dest = std::move(EventStore::Create(dir.Sub("dest"), options)).value();
  }

  void Append(codec::EventBody body) { REQUIRE(source.store->Append(std::move(body), "t").ok()); }

  // The datasets of "type" in "collections" of the source, every match.
  std::vector<DatasetRef> Find(const std::string& type, const std::string& collection) {
    DatasetQuery q;
    q.dataset_type = type;
    q.collections = {collection};
    q.find_first = false;
    return source.store->View().value().QueryDatasets(q).value();
  }

  Result<ImportReport> Transfer(const std::string& type, const std::string& collection,
                                TransferOptions options = Registering()) {
    auto view = source.store->View().value();
    return TransferDatasets(*source.store, view, Find(type, collection), *dest, options, "mover");
  }

  static TransferOptions Registering() {
    TransferOptions o;
    o.register_dataset_types = true;
    return o;
  }
  static TransferOptions Calibs() {
    TransferOptions o = Registering();
    o.collections = {"FakeCam/calib"};
    return o;
  }

  // What a refused transfer must leave: the same head, no file, and no
  // folder it made (only the registry's own folder at the root).
  void RequireUntouched(const Head& before) {
    CHECK(dest->head().sequence == before.sequence);
    CHECK(dest->head().chain_hash == before.chain_hash);
    CHECK(FilesUnder(dest->root()).empty());
    std::vector<std::string> at_root;
    for (const auto& e : fs::directory_iterator(dest->root())) {
      if (e.path().filename() != kPrivateFolder) at_root.push_back(e.path().filename().string());
    }
    CHECK(at_root == left_at_root);
  }
  std::vector<std::string> left_at_root;  // What a test put there itself.

  testutil::IngestRepo source;
  testutil::TempDir dir;
  std::unique_ptr<EventStore> dest;
  std::vector<codec::Uuid> bias_ids;
};

}  // namespace

TEST_CASE(
    "A transfer of a run's datasets finds them in the destination with their data IDs and "
    "files",
    "[ingest][transfer-datasets]") {
  Sites sites;
  const auto raws = sites.Find("raw", "FakeCam/raw/all");
  REQUIRE(raws.size() == 3);
  auto moved = sites.Transfer("raw", "FakeCam/raw/all");
  INFO(moved.status().ToString());
  REQUIRE(moved.ok());
  CHECK(moved->datasets == 3);
  CHECK(moved->files == 3);
  CHECK(moved->dataset_types.added == 1);
  CHECK(moved->collections.added == 1);
  CHECK(moved->records_inserted > 0);
  auto there = sites.dest->View().value();
  auto source_view = sites.source.store->View().value();
  for (const DatasetRef& r : raws) {
    auto got = there.GetDataset(r.id).value();
    REQUIRE(got.has_value());
    CHECK(got->run == "FakeCam/raw/all");
    CHECK(got->data_id == r.data_id);
    CHECK(got->artifact == r.artifact);
    CHECK(ReadText(sites.dest->root() + "/" + r.artifact->path) ==
          ReadText(sites.source.store->root() + "/" + r.artifact->path));
    // The records the data ID needs came along, as the source has them.
    CHECK(there.GetDimensionRecord("exposure", r.data_id).value() ==
          source_view.GetDimensionRecord("exposure", r.data_id).value());
  }
  CHECK(there.GetDatasetType("raw").value().dimensions ==
        source_view.GetDatasetType("raw").value().dimensions);
  CHECK(FilesUnder(sites.dest->root()).size() == 3);
}

TEST_CASE("Transferred calibrations keep their certifications' validity, tags and chains",
          "[ingest][transfer-datasets]") {
  Sites sites;
  auto moved = sites.Transfer("bias", "FakeCam/calib", Sites::Calibs());
  INFO(moved.status().ToString());
  REQUIRE(moved.ok());
  CHECK(moved->datasets == 2);
  CHECK(moved->certified.added == 2);
  CHECK(moved->tagged.added == 1);
  CHECK(moved->chains.added == 1);
  auto there = sites.dest->View().value();
  CHECK(there.GetCollection("FakeCam/calib").value()->children ==
        std::vector<std::string>{"FakeCam/calib/DM-3", "FakeCam/picked"});
  for (const auto& [detector, time, id] : std::vector<std::tuple<int64_t, int64_t, codec::Uuid>>{
           {0, kJan + 5, sites.bias_ids[0]}, {1, kJul + 5, sites.bias_ids[1]}}) {
    DatasetQuery q;
    q.dataset_type = "bias";
    q.collections = {"FakeCam/calib/DM-3"};
    q.validity = codec::Timespan{time, time + 1};
    auto found = there.QueryDatasets(q).value();
    INFO(detector);
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == id);
    CHECK(found[0].validity ==
          (detector == 0 ? codec::Timespan{kJan, kJul} : codec::Timespan{kJul, kDec}));
  }
  auto holders = there.CollectionsHolding(sites.bias_ids[1]).value();
  CHECK(std::find(holders.begin(), holders.end(), "FakeCam/picked") != holders.end());
}

TEST_CASE("A tampered source file refuses the whole transfer and leaves the destination unchanged",
          "[ingest][transfer-datasets][atomic]") {
  Sites sites;
  const auto raws = sites.Find("raw", "FakeCam/raw/all");
  // Same size, one byte changed: only the checksum can tell.
  const std::string victim = sites.source.store->root() + "/" + raws[1].artifact->path;
  std::string bytes = ReadText(victim);
  bytes[bytes.size() / 2] ^= 1;
  std::ofstream(victim, std::ios::binary) << bytes;
  const Head before = sites.dest->head();
  auto refused = sites.Transfer("raw", "FakeCam/raw/all");
  INFO(refused.status().ToString());
  CHECK(refused.status().IsCorruption());
  CHECK_THAT(refused.status().ToString(), Catch::Contains(raws[1].artifact->path));
  CHECK_THAT(refused.status().ToString(), Catch::Contains("nothing was transferred"));
  sites.RequireUntouched(before);
  // A missing one, too.
  fs::remove(victim);
  CHECK(sites.Transfer("raw", "FakeCam/raw/all").status().IsCorruption());
  sites.RequireUntouched(before);
}

TEST_CASE("A second transfer adds nothing and says what was already there",
          "[ingest][transfer-datasets]") {
  Sites sites;
  REQUIRE(sites.Transfer("bias", "FakeCam/calib", Sites::Calibs()).ok());
  const Head head = sites.dest->head();
  auto again = sites.Transfer("bias", "FakeCam/calib", Sites::Calibs());
  INFO(again.status().ToString());
  REQUIRE(again.ok());
  CHECK(again->datasets == 0);
  CHECK(again->files == 0);
  CHECK(again->already_present == 2);
  CHECK(again->certified.present == 2);
  CHECK(again->tagged.present == 1);
  CHECK(again->chains.present == 1);
  CHECK(again->dataset_types.present == 1);
  CHECK(again->last_event == 0);
  CHECK(sites.dest->head().sequence == head.sequence);
}

TEST_CASE("A dry-run transfer checks every file, counts what it would add and changes nothing",
          "[ingest][transfer-datasets]") {
  Sites sites;
  TransferOptions dry = Sites::Calibs();
  dry.dry_run = true;
  const Head before = sites.dest->head();
  auto counted = sites.Transfer("bias", "FakeCam/calib", dry);
  INFO(counted.status().ToString());
  REQUIRE(counted.ok());
  CHECK(counted->datasets == 2);
  CHECK(counted->files == 2);
  CHECK(counted->certified.added == 2);
  CHECK(counted->collections.added == 4);
  sites.RequireUntouched(before);
  // It reads the files as a real transfer does.
  std::ofstream(sites.source.store->root() + "/calib/run/bias_0.fits") << "other pixels";
  CHECK(sites.Transfer("bias", "FakeCam/calib", dry).status().IsCorruption());
}

TEST_CASE("A path that would leave the destination's root refuses the transfer",
          "[ingest][transfer-datasets][atomic]") {
  Sites sites;
  // The destination's calib folder is a link out of its root: writing
  // calib/run/... there would land outside.
  const std::string outside = sites.dir.Sub("outside");
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, sites.dest->root() + "/calib");
  const Head before = sites.dest->head();
  auto refused = sites.Transfer("bias", "calib/run");
  INFO(refused.status().ToString());
  CHECK(refused.status().IsInvalidArgument());
  CHECK_THAT(refused.status().ToString(), Catch::Contains("calib/run/bias_0.fits"));
  CHECK(fs::is_empty(outside));
  CHECK(sites.dest->head().sequence == before.sequence);
}

TEST_CASE("What the options leave to the destination must be there, and move is refused",
          "[ingest][transfer-datasets]") {
  Sites sites;
  const Head before = sites.dest->head();
  // Without --register-dataset-types, as the butler's.
  auto unregistered = sites.Transfer("bias", "calib/run", TransferOptions{});
  CHECK(unregistered.status().IsInvalidArgument());
  CHECK_THAT(unregistered.status().ToString(), Catch::Contains("dataset type 'bias'"));
  // Without records, each one needed must be there.
  TransferOptions no_records = Sites::Registering();
  no_records.transfer_dimensions = false;
  auto unrecorded = sites.Transfer("bias", "calib/run", no_records);
  CHECK(unrecorded.status().IsInvalidArgument());
  CHECK_THAT(unrecorded.status().ToString(), Catch::Contains("record"));
  TransferOptions move = Sites::Registering();
  move.mode = TransferMode::kMove;
  CHECK(sites.Transfer("bias", "calib/run", move).status().IsInvalidArgument());
  sites.RequireUntouched(before);
  // Once the records are there, no records need to go.
  REQUIRE(sites.Transfer("raw", "FakeCam/raw/all").ok());
  auto recorded = sites.Transfer("bias", "calib/run", no_records);
  INFO(recorded.status().ToString());
  REQUIRE(recorded.ok());
  CHECK(recorded->records_inserted == 0);
  CHECK(recorded->datasets == 2);
}

TEST_CASE("A source file that is a link out of the source's root is read through it",
          "[ingest][transfer-datasets]") {
  Sites sites;
  const std::string kept = sites.dir.Sub("kept.fits");
  const std::string path = sites.source.store->root() + "/calib/run/bias_1.fits";
  fs::rename(path, kept);
  fs::create_symlink(kept, path);
  auto moved = sites.Transfer("bias", "calib/run");
  INFO(moved.status().ToString());
  REQUIRE(moved.ok());
  CHECK(moved->files == 2);
  CHECK(ReadText(sites.dest->root() + "/calib/run/bias_1.fits") == "bias pixels of 1");
  CHECK_FALSE(fs::is_symlink(sites.dest->root() + "/calib/run/bias_1.fits"));
}

TEST_CASE("A destination contradicting the source is refused, naming what, and changes nothing",
          "[ingest][transfer-datasets][atomic]") {
  Sites sites;
  REQUIRE(
      sites.dest->Append(codec::CreateCollection{"FakeCam/calib", CollectionType::kTagged, ""}, "t")
          .ok());
  const Head before = sites.dest->head();
  auto refused = sites.Transfer("bias", "FakeCam/calib", Sites::Calibs());
  INFO(refused.status().ToString());
  CHECK(refused.status().IsConflict());
  CHECK_THAT(refused.status().ToString(),
             Catch::Contains("collection 'FakeCam/calib' is TAGGED in the repository and CHAINED "
                             "in the source; nothing was transferred"));
  sites.RequireUntouched(before);
}

TEST_CASE("A hard-linked transfer of a source file that is a relative link links the file itself",
          "[ingest][transfer-datasets]") {
  Sites sites;
  // The source's file is a relative link to a file beside it, as an ingest
  // with relsymlink leaves; link() of the link itself would plant that
  // relative link in the destination, resolved from there.
  const std::string root = sites.source.store->root();
  fs::create_directories(root + "/pool");
  fs::rename(root + "/calib/run/bias_1.fits", root + "/pool/bias_1.fits");
  fs::create_symlink("../../pool/bias_1.fits", root + "/calib/run/bias_1.fits");
  TransferOptions options = Sites::Registering();
  options.mode = TransferMode::kHardlink;
  auto linked = sites.Transfer("bias", "calib/run", options);
  INFO(linked.status().ToString());
  REQUIRE(linked.ok());
  const std::string there = sites.dest->root() + "/calib/run/bias_1.fits";
  CHECK_FALSE(fs::is_symlink(there));
  CHECK(fs::equivalent(there, root + "/pool/bias_1.fits"));
  CHECK(ReadText(there) == "bias pixels of 1");
}

TEST_CASE("A source file of another size than recorded is refused before it is read",
          "[ingest][transfer-datasets]") {
  Sites sites;
  std::ofstream(sites.source.store->root() + "/calib/run/bias_1.fits", std::ios::app)
      << std::string(4096, 'x');
  const Head before = sites.dest->head();
  auto refused = sites.Transfer("bias", "calib/run");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsCorruption());
  CHECK_THAT(refused.status().ToString(), Catch::Contains("bytes, not the"));
  sites.RequireUntouched(before);
}

TEST_CASE("A file that is not the one checked when it is placed refuses the batch, placing nothing",
          "[ingest][transfer-datasets][atomic]") {
  Sites sites;
  REQUIRE(sites.Transfer("bias", "calib/run").ok());  // The type and records are there.
  const Head before = sites.dest->head();
  const std::string source = sites.source.store->root() + "/calib/run/bias_0.fits";
  codec::Artifact checked =
      DescribeFile(sites.source.store->root(), "calib/run/bias_0.fits").value();
  checked.path = "other/bias_0.fits";
  // What a check saw before the file changed: another checksum.
  checked.checksum.low ^= 1;
  FileBatch batch;
  batch.mode = TransferMode::kCopy;
  batch.all_or_nothing = true;
  batch.bodies.push_back(codec::CreateCollection{"other/run", CollectionType::kRun, ""});
  batch.bodies.push_back(codec::RegisterDatasets{
      "other/run",
      "bias",
      {{RandomDatasetId(), {{"instrument", "FakeCam"}, {"detector", int64_t{0}}}, checked}}});
  batch.files.push_back(BatchFile{source, checked.path, {BatchEntry{1, 0}}});
  auto refused = LocalFileSink(*sites.dest, "mover")(std::move(batch));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsCorruption());
  CHECK_THAT(refused.status().ToString(), Catch::Contains("changed after it was checked"));
  CHECK(sites.dest->head().sequence == before.sequence);
  CHECK_FALSE(fs::exists(sites.dest->root() + "/other/bias_0.fits"));
  CHECK_FALSE(fs::exists(sites.dest->root() + "/other"));  // Nor the folder made for it.
}

TEST_CASE("A dry run is refused where the transfer would be: a different file at a path",
          "[ingest][transfer-datasets]") {
  Sites sites;
  fs::create_directories(sites.dest->root() + "/calib/run");
  std::ofstream(sites.dest->root() + "/calib/run/bias_1.fits") << "someone else's pixels";
  TransferOptions dry = Sites::Calibs();
  dry.dry_run = true;
  const Head before = sites.dest->head();
  auto refused = sites.Transfer("bias", "FakeCam/calib", dry);
  INFO(refused.status().ToString());
  CHECK(refused.status().IsConflict());
  CHECK_THAT(refused.status().ToString(),
             Catch::Contains("a different file is already at calib/run/bias_1.fits"));
  CHECK_THAT(refused.status().ToString(), Catch::Contains("nothing would be transferred"));
  // The real transfer says the same, and leaves the file that was there.
  auto real = sites.Transfer("bias", "FakeCam/calib", Sites::Calibs());
  CHECK(real.status().IsConflict());
  CHECK(sites.dest->head().sequence == before.sequence);
  CHECK(ReadText(sites.dest->root() + "/calib/run/bias_1.fits") == "someone else's pixels");
  CHECK_FALSE(fs::exists(sites.dest->root() + "/calib/run/bias_0.fits"));
  // An identical file there is taken as is, in both.
  fs::copy_file(sites.source.store->root() + "/calib/run/bias_1.fits",
                sites.dest->root() + "/calib/run/bias_1.fits",
                fs::copy_options::overwrite_existing);
  CHECK(sites.Transfer("bias", "FakeCam/calib", dry).ok());
}

TEST_CASE("A destination whose universe lacks what the source uses is refused, dry run or not",
          "[ingest][transfer-datasets][atomic]") {
  Sites sites;
  // The destination's universe has no detector element.
  std::string universe(DefaultUniverseText());
  const size_t line = universe.find("element detector");
  REQUIRE(line != std::string::npos);
  universe.erase(line, universe.find('\n', line) + 1 - line);
  CreateOptions options;
  options.store.sync = false;
  options.universe = universe;
  sites.dest.reset();
  sites.dest = std::move(EventStore::Create(sites.dir.Sub("narrow"), options)).value();
  const Head before = sites.dest->head();
  for (bool dry_run : {true, false}) {
    TransferOptions o = Sites::Calibs();
    o.dry_run = dry_run;
    auto refused = sites.Transfer("bias", "FakeCam/calib", o);
    INFO(refused.status().ToString());
    CHECK(refused.status().IsInvalidArgument());
    CHECK_THAT(refused.status().ToString(), Catch::Contains("dataset type 'bias'"));
    CHECK_THAT(refused.status().ToString(), Catch::Contains("destination's universe"));
    sites.RequireUntouched(before);
  }
}

TEST_CASE("Records left to the destination are not checked against its universe",
          "[ingest][transfer-datasets]") {
  Sites sites;
  // The destination's instruments have no class_name field; FakeCam's has one.
  std::string universe(DefaultUniverseText());
  const std::string field = "fields=class_name:string,";
  const size_t at = universe.find(field);
  REQUIRE(at != std::string::npos);
  universe.replace(at, field.size(), "fields=");
  CreateOptions options;
  options.store.sync = false;
  options.universe = universe;
  sites.dest.reset();
  sites.dest = std::move(EventStore::Create(sites.dir.Sub("narrow"), options)).value();
  REQUIRE(sites.dest
              ->Append(
                  codec::InsertDimensionRecords{"instrument", {{{"instrument", "FakeCam"}}}, false},
                  "t")
              .ok());
  REQUIRE(
      sites.dest
          ->Append(
              codec::InsertDimensionRecords{"detector",
                                            {{{"instrument", "FakeCam"}, {"detector", int64_t{0}}},
                                             {{"instrument", "FakeCam"}, {"detector", int64_t{1}}}},
                                            false},
              "t")
          .ok());
  TransferOptions o = Sites::Calibs();
  auto refused = sites.Transfer("bias", "FakeCam/calib", o);
  INFO(refused.status().ToString());
  CHECK(refused.status().IsInvalidArgument());
  CHECK_THAT(refused.status().ToString(), Catch::Contains("class_name"));
  // Sending no records, there is nothing of theirs to refuse.
  o.transfer_dimensions = false;
  auto sent = sites.Transfer("bias", "FakeCam/calib", o);
  INFO(sent.status().ToString());
  CHECK(sent.ok());
}
