// Files with a dataset per HDU (as DECam and MegaPrime write them): each
// dataset records the file and its HDU, and the file stays on disk while
// any of its datasets keeps it.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include "starlog/engine/prune.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/fsck.h"
#include "tests/ingest/bundle_text.h"
#include "tests/ingest/ingest_fixture.h"

using namespace starlog;
using testutil::Card;
using testutil::IngestRepo;

namespace {

constexpr char kMefCam[] = R"(instrument FakeCam
match INSTRUME FakeCam
per_hdu inherit
value exposure EXPNUM
value detector CCDNUM
value physical_filter FILTER
value exposure.observation_type IMGTYPE lower
timespan exposure DATE-OBS EXPTIME
day_obs DATE-OBS -12
)";

// Ingests one file of FakeCam exposure 10 with detectors 1 and 2 in HDUs 1
// and 2, and returns its datasets in detector order.
std::vector<engine::DatasetRef> IngestMef(IngestRepo& r) {
  testutil::WriteMultiExtensionFits(
      r.In("mef.fits"),
      testutil::RawCards("FakeCam", 10, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1),
      {{{"CCDNUM", 1LL}}, {{"CCDNUM", 2LL}}});
  ingest::IngestOptions o = r.Options();
  o.translators = {ingest::ParseTranslator(kMefCam, "mefcam.cfg").value()};
  auto report = r.Run({r.In("mef.fits")}, o);
  REQUIRE(report.ok());
  REQUIRE(report->skipped.empty());
  auto refs = r.store->View()->QueryDatasets(IngestRepo::Raws()).value();
  REQUIRE(refs.size() == 2);
  std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) {
    return std::get<int64_t>(a.data_id.at("detector")) <
           std::get<int64_t>(b.data_id.at("detector"));
  });
  return refs;
}

}  // namespace

TEST_CASE("Each dataset of a file with a dataset per HDU records its HDU", "[ingest][hdu]") {
  IngestRepo r;
  auto refs = IngestMef(r);
  REQUIRE(refs[0].artifact);
  REQUIRE(refs[1].artifact);
  CHECK(refs[0].artifact->path == refs[1].artifact->path);
  CHECK(refs[0].artifact->checksum == refs[1].artifact->checksum);
  CHECK(refs[0].artifact->hdu == 1);
  CHECK(refs[1].artifact->hdu == 2);
  CHECK(codec::ArtifactLocation(*refs[1].artifact) == refs[1].artifact->path + "[2]");
  // A lookup by id reads it back from the index.
  auto view = r.store->View().value();
  CHECK(view.GetDataset(refs[1].id).value()->artifact->hdu == 2);
  // fsck reads the shared file once and finds it owned and intact.
  auto fsck = ingest::CheckFiles(*r.store).value();
  CHECK(fsck.clean());
  CHECK(fsck.files_checked == 1);
}

TEST_CASE("Purging one HDU's dataset keeps the file its other HDUs still use", "[ingest][hdu]") {
  IngestRepo r;
  auto refs = IngestMef(r);
  const std::string file = r.store->root() + "/" + refs[0].artifact->path;
  auto first = engine::PruneDatasets(*r.store, {refs[0].id}, engine::PruneMode::kPurge, "tester");
  REQUIRE(first.ok());
  CHECK(first->datasets == 1);
  CHECK(first->files_deleted == 0);
  CHECK(std::filesystem::exists(file));
  CHECK(ingest::CheckFiles(*r.store).value().clean());

  auto unstore =
      engine::PruneDatasets(*r.store, {refs[1].id}, engine::PruneMode::kUnstore, "tester");
  REQUIRE(unstore.ok());
  CHECK(unstore->datasets == 1);
  CHECK(unstore->files_deleted == 1);  // Its last dataset let it go.
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("Purging every HDU's dataset at once deletes their file once", "[ingest][hdu]") {
  IngestRepo r;
  auto refs = IngestMef(r);
  const std::string file = r.store->root() + "/" + refs[0].artifact->path;
  auto both = engine::PruneDatasets(*r.store, {refs[0].id, refs[1].id}, engine::PruneMode::kPurge,
                                    "tester");
  REQUIRE(both.ok());
  CHECK(both->datasets == 2);
  CHECK(both->files_deleted == 1);
  CHECK(both->file_errors.empty());
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("A bundle keeps each HDU's dataset and their one file", "[ingest][hdu]") {
  IngestRepo r;
  auto refs = IngestMef(r);
  auto view = r.store->View().value();
  REQUIRE(ingest::ExportBundle(*r.store, view, refs, r.dir.Sub("bundle")).ok());
  IngestRepo other;
  auto imported = ingest::ImportBundle(*other.store, r.dir.Sub("bundle"),
                                       ingest::TransferMode::kCopy, "tester");
  INFO(imported.status().ToString());
  REQUIRE(imported.ok());
  auto there = other.store->View()->GetDataset(refs[1].id).value();
  REQUIRE(there);
  REQUIRE(there->artifact);
  CHECK(*there->artifact == *refs[1].artifact);
  CHECK(ingest::CheckFiles(*other.store).value().clean());
}

TEST_CASE("A bundle whose HDU is out of range or not a number is refused and imports nothing",
          "[ingest][hdu]") {
  const auto [written, refusal] = GENERATE(
      std::pair<std::string, std::string>{"\"hdu\":5000", "hdu 5000 is out of range"},
      std::pair<std::string, std::string>{"\"hdu\":-1", "hdu -1 is out of range"},
      std::pair<std::string, std::string>{"\"hdu\":\"2\"", "\"hdu\" is a string, not an integer"});
  IngestRepo r;
  auto refs = IngestMef(r);
  auto view = r.store->View().value();
  REQUIRE(ingest::ExportBundle(*r.store, view, refs, r.dir.Sub("bundle")).ok());
  const std::string manifest = r.dir.Sub("bundle/bundle.jsonl");
  std::ifstream in(manifest);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"hdu\":2");
  REQUIRE(at != std::string::npos);
  text.replace(at, 7, written);
  std::ofstream(manifest) << testutil::Resign(text);
  IngestRepo other;
  const uint64_t head = other.store->head().sequence;
  auto imported = ingest::ImportBundle(*other.store, r.dir.Sub("bundle"),
                                       ingest::TransferMode::kCopy, "tester");
  REQUIRE_FALSE(imported.ok());
  INFO(imported.status().ToString());
  CHECK(std::string(imported.status().message()).find(refusal) != std::string::npos);
  CHECK(other.store->head().sequence == head);
}
