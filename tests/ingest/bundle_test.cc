// Bundles carry the registry state of what they hold (datasets with or
// without files, RUN/TAGGED/CALIBRATION memberships with validity, chains),
// and import adds it whole or refuses it whole: one rule a test.

#include "starlog/ingest/bundle.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "tests/engine/registry_test_util.h"
#include "tests/ingest/bundle_text.h"
#include "tests/testutil/registry_fixture.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using namespace starlog::ingest;
using codec::CollectionType;
using testutil::ReadText;
using testutil::RegistryFixture;
using testutil::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kJan = 1'704'067'200'000'000'000;  // 2024-01-01, TAI ns near enough.
constexpr int64_t kJul = 1'719'792'000'000'000'000;
constexpr int64_t kDec = 1'733'011'200'000'000'000;
constexpr char kFilePath[] = "calib/run/bias_2.fits";

// A site with biases of calib/run (detectors 0 and 1 without files, 2 with
// one), certified into HSC/calib/DM-3 for [Jan, Jul), detector 1 tagged in
// HSC/picked, and the chain HSC/calib over both; exported with
// --collections HSC/calib into "bundle".
struct Site {
  Site() {
    source.CreateCollection("calib/run", CollectionType::kRun);
    source.CreateCollection("HSC/calib/DM-3", CollectionType::kCalibration);
    source.CreateCollection("HSC/picked", CollectionType::kTagged);
    ids.push_back(source.AddBias("calib/run", 0));
    ids.push_back(source.AddBias("calib/run", 1));
    fs::create_directories(source.store().root() + "/calib/run");
    std::ofstream(source.store().root() + "/" + kFilePath) << "bias pixels";
    artifact = DescribeFile(source.store().root(), kFilePath).value();
    ids.push_back(DeterministicDatasetId("bias", RegistryFixture::BiasId(2), "calib/run"));
    source.Append(codec::RegisterDatasets{
        "calib/run", "bias", {{ids[2], RegistryFixture::BiasId(2), artifact}}});
    codec::Certify certify{"HSC/calib/DM-3", "bias", {}};
    for (const codec::Uuid& id : ids) certify.entries.push_back({id, {kJan, kJul}});
    source.Append(certify);
    source.Append(codec::Tag{"HSC/picked", {ids[1]}});
    source.Append(codec::CreateCollection{"HSC/calib", CollectionType::kChained, ""});
    source.SetChain("HSC/calib", {"HSC/calib/DM-3", "HSC/picked"});
    Export();
  }

  void Export() {
    auto view = source.View();
    DatasetQuery query;
    query.dataset_type = "bias";
    query.collections = {"HSC/calib"};
    query.find_first = false;
    auto refs = view.QueryDatasets(query).value();
    ExportOptions options;
    options.collections = {"HSC/calib"};
    fs::remove_all(bundle);
    auto exported = ExportBundle(source.store(), view, refs, bundle, options);
    INFO(exported.status().ToString());
    REQUIRE(exported.ok());
    CHECK(exported->datasets == 3);
    CHECK(exported->files == 1);
    CHECK(exported->memberships == 4);
  }

  // Replaces the first "from" in bundle.jsonl and signs the result again
  // (a new trailer), so that only the rule under test refuses it.
  void Rewrite(const std::string& from, const std::string& to) {
    std::string text = ReadText(bundle + "/bundle.jsonl");
    const size_t at = text.find(from);
    INFO(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(bundle + "/bundle.jsonl", std::ios::binary) << testutil::Resign(text);
  }

  RegistryFixture source;
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
  std::vector<codec::Uuid> ids;
  codec::Artifact artifact;
};

std::vector<DatasetRef> Certified(RegistryView view) {
  DatasetQuery query;
  query.dataset_type = "bias";
  query.collections = {"HSC/calib/DM-3"};
  query.find_first = false;
  return view.QueryDatasets(query).value();
}

}  // namespace

TEST_CASE("A bundle carries datasets without files, tags, certifications with validity and chains",
          "[ingest][bundle]") {
  Site site;
  RegistryFixture target;
  auto imported = ImportBundle(target.store(), site.bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE(imported.ok());
  CHECK(imported->datasets == 3);
  CHECK(imported->files == 1);
  CHECK(imported->certified.added == 3);
  CHECK(imported->tagged.added == 1);
  CHECK(imported->chains.added == 1);
  auto view = target.View();
  CHECK_FALSE(view.GetDataset(site.ids[0]).value()->artifact.has_value());
  CHECK(view.GetDataset(site.ids[2]).value()->artifact == site.artifact);
  CHECK(ReadText(target.store().root() + "/" + kFilePath) == "bias pixels");
  CHECK(view.GetCollection("HSC/calib").value()->children ==
        std::vector<std::string>{"HSC/calib/DM-3", "HSC/picked"});
  auto certified = Certified(view);
  REQUIRE(certified.size() == 3);
  for (const DatasetRef& r : certified) CHECK(r.validity == codec::Timespan{kJan, kJul});
  auto holders = view.CollectionsHolding(site.ids[1]).value();
  CHECK(std::find(holders.begin(), holders.end(), "HSC/picked") != holders.end());

  // Twice: nothing appended, everything counted as there.
  const uint64_t head = target.store().head().sequence;
  auto again = ImportBundle(target.store(), site.bundle, TransferMode::kCopy, "importer");
  REQUIRE(again.ok());
  CHECK(again->already_present == 3);
  CHECK(again->certified.present == 3);
  CHECK(again->tagged.present == 1);
  CHECK(again->chains.present == 1);
  CHECK(target.store().head().sequence == head);
}

TEST_CASE("A dry run checks everything, counts what it would add and changes nothing",
          "[ingest][bundle]") {
  Site site;
  RegistryFixture target;
  const Head before = target.store().head();
  ImportOptions options;
  options.dry_run = true;
  auto dry = ImportBundle(target.store(), site.bundle, options, LocalFileSink(target.store(), "x"));
  REQUIRE(dry.ok());
  CHECK(dry->datasets == 3);
  CHECK(dry->collections.added == 4);
  CHECK(dry->dataset_types.present == 1);
  CHECK(dry->certified.added == 3);
  CHECK(target.store().head().sequence == before.sequence);
  CHECK(target.store().head().chain_hash == before.chain_hash);
  CHECK_FALSE(fs::exists(target.store().root() + "/" + kFilePath));
  // A dry run refuses what a real import would.
  target.CreateCollection("HSC/calib", CollectionType::kTagged);
  CHECK(ImportBundle(target.store(), site.bundle, options, LocalFileSink(target.store(), "x"))
            .status()
            .IsConflict());
}

TEST_CASE("A bundle contradicting the repository is refused, naming what, and changes nothing",
          "[ingest][bundle][atomic]") {
  Site site;
  RegistryFixture target;
  const auto [setup, message] = GENERATE(
      std::pair<int, std::string>{0, "dataset type 'bias' is in the repository with another"},
      std::pair<int, std::string>{1, "collection 'HSC/calib' is TAGGED in the repository"},
      std::pair<int, std::string>{2, "chain 'HSC/calib' is defined differently"},
      std::pair<int, std::string>{3, "is already in the repository with another file"},
      std::pair<int, std::string>{4, "is taken in RUN 'calib/run' by dataset"},
      std::pair<int, std::string>{5, "TAGGED 'HSC/picked' holds dataset"},
      std::pair<int, std::string>{6, "overlaps dataset"});
  switch (setup) {
    case 0:
      site.Rewrite("\"storage_class\":\"ExposureF\"", "\"storage_class\":\"Exposure\"");
      break;
    case 1:
      target.CreateCollection("HSC/calib", CollectionType::kTagged);
      break;
    case 2:
      target.CreateCollection("HSC/calib/DM-3", CollectionType::kCalibration);
      target.Append(codec::CreateCollection{"HSC/calib", CollectionType::kChained, ""});
      target.SetChain("HSC/calib", {"HSC/calib/DM-3"});
      break;
    case 3: {
      target.CreateCollection("calib/run", CollectionType::kRun);
      fs::create_directories(target.store().root() + "/calib/run");
      std::ofstream(target.store().root() + "/" + kFilePath) << "other pixels";
      target.Append(
          codec::RegisterDatasets{"calib/run",
                                  "bias",
                                  {{site.ids[2], RegistryFixture::BiasId(2),
                                    DescribeFile(target.store().root(), kFilePath).value()}}});
      break;
    }
    case 4:
      target.CreateCollection("calib/run", CollectionType::kRun);
      target.Append(codec::RegisterDatasets{
          "calib/run", "bias", {{RandomDatasetId(), RegistryFixture::BiasId(1), std::nullopt}}});
      break;
    case 5: {
      target.CreateCollection("other/run", CollectionType::kRun);
      target.CreateCollection("HSC/picked", CollectionType::kTagged);
      target.Append(codec::Tag{"HSC/picked", {target.AddBias("other/run", 1)}});
      break;
    }
    case 6: {
      target.CreateCollection("other/run", CollectionType::kRun);
      target.CreateCollection("HSC/calib/DM-3", CollectionType::kCalibration);
      target.Append(codec::Certify{
          "HSC/calib/DM-3", "bias", {{target.AddBias("other/run", 0), {kJul - 1, kDec}}}});
      break;
    }
  }
  const Head before = target.store().head();
  // A dry run finds it too: each rule is checked before the append.
  ImportOptions dry_run;
  dry_run.dry_run = true;
  auto dry = ImportBundle(target.store(), site.bundle, dry_run, LocalFileSink(target.store(), "x"));
  INFO(dry.status().ToString());
  CHECK(Says(dry.status(), message));
  auto imported = ImportBundle(target.store(), site.bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE_FALSE(imported.ok());
  CHECK(Says(imported.status(), message));
  CHECK(Says(imported.status(), "nothing was imported"));
  CHECK(target.store().head().sequence == before.sequence);
  CHECK(target.store().head().chain_hash == before.chain_hash);
  if (setup != 3) CHECK_FALSE(fs::exists(target.store().root() + "/" + kFilePath));
}

TEST_CASE("A version-1 bundle (RUNs only) is still read", "[ingest][bundle]") {
  RegistryFixture source;
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
  fs::create_directories(bundle + "/files/HSC/raw/all");
  std::ofstream(bundle + "/files/HSC/raw/all/r.fits") << "raw pixels";
  const codec::Artifact a = DescribeFile(bundle + "/files", "HSC/raw/all/r.fits").value();
  const codec::Uuid id = RandomDatasetId();
  std::ofstream(bundle + "/bundle.json")
      << R"({"format":"starlog-bundle","version":1,"source_repository":")"
      << RandomDatasetId().ToString()
      << R"(","source_sequence":9,"dataset_types":[{"name":"raw","dimensions":["instrument","exposure","detector"],"storage_class":"Exposure","is_calibration":false}],"runs":[{"name":"HSC/raw/all","doc":""}],"dimension_records":[],"datasets":[{"id":")"
      << id.ToString()
      << R"(","dataset_type":"raw","run":"HSC/raw/all","data_id":{"detector":1,"exposure":100,"instrument":"HSC"},"path":"HSC/raw/all/r.fits","size":)"
      << a.size << R"(,"checksum":")" << a.checksum.ToHex() << "\"}]}\n";
  auto imported = ImportBundle(source.store(), bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE(imported.ok());
  CHECK(imported->datasets == 1);
  CHECK(source.View().GetDataset(id).value()->artifact == a);
}

TEST_CASE("What bundle.jsonl says is checked before anything is touched",
          "[ingest][bundle][atomic]") {
  Site site;
  const auto [from, to, message] = GENERATE(
      std::tuple<std::string, std::string, std::string>{
          "\"type\":\"CALIBRATION\"", "\"type\":\"CALIBRATED\"", "unknown collection type"},
      std::tuple<std::string, std::string, std::string>{"\"children\":[\"HSC/calib/DM-3\",",
                                                        "\"children\":[\"HSC/calib\",", "itself"},
      std::tuple<std::string, std::string, std::string>{
          "\"end\":", "\"end\":0,\"x\":", "the validity range is empty"},
      std::tuple<std::string, std::string, std::string>{
          "\"begin\":", "\"begin\":\"2024\",\"x\":", "\"begin\" is a string"},
      std::tuple<std::string, std::string, std::string>{"\"path\":\"calib/", "\"path\":\"../calib/",
                                                        "bundle file"},
      std::tuple<std::string, std::string, std::string>{"\"tagged\":[\"HSC/picked\"",
                                                        "\"tagged\":[\"HSC/calib/DM-3\"",
                                                        "is not a TAGGED collection"},
      std::tuple<std::string, std::string, std::string>{
          "\"element\":\"detector\"", "\"element\":\"detectors\"", "no element 'detectors'"},
      std::tuple<std::string, std::string, std::string>{
          "\"run\":\"calib/run\"", "\"run\":\"HSC/picked\"", "RUN 'HSC/picked' is not among"},
      std::tuple<std::string, std::string, std::string>{
          "\"is_calibration\":true", "\"is_calibration\":false", "not a calibration type"},
      std::tuple<std::string, std::string, std::string>{
          "\"name\":\"calib/run\"", "\"name\":\"calib/run space\"", "collection name"});
  site.Rewrite(from, to);
  // An empty repository, so that no rule against its content comes first
  // (a bundle.jsonl is checked and planned a line at a time).
  CreateOptions create;
  create.store.sync = false;
  auto target = EventStore::Create(site.dir.Sub("empty"), create).value();
  const Head before = target->head();
  auto imported = ImportBundle(*target, site.bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE_FALSE(imported.ok());
  CHECK(imported.status().IsInvalidArgument());
  CHECK(Says(imported.status(), message));
  CHECK(target->head().sequence == before.sequence);
  CHECK_FALSE(fs::exists(target->root() + "/calib"));
}
