// The butler's export format: a file written by hand in daf_butler's layout
// (tests/ingest/data/butler_export), read, imported, exported and imported
// again; and each kind of bad input refused with nothing changed.

#include "starlog/ingest/butler_yaml.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "starlog/codec/time_format.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/butler_transfer.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::ingest {
namespace {

namespace fs = std::filesystem;
using engine::CreateOptions;
using engine::EventStore;
using testutil::TempDir;

const std::string kFixture = std::string(STARLOG_SOURCE_DIR) + "/tests/ingest/data/butler_export";

std::unique_ptr<EventStore> NewRepo(const TempDir& dir, const std::string& name) {
  CreateOptions options;
  options.store.sync = false;
  return std::move(EventStore::Create(dir.Sub(name), options)).value();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the fixture whose export.yaml has "from" replaced by "to".
std::string EditedFixture(const TempDir& dir, const std::string& from, const std::string& to) {
  const std::string copy = dir.Sub("edited");
  fs::copy(kFixture, copy, fs::copy_options::recursive);
  std::string text = ReadText(copy + "/export.yaml");
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(copy + "/export.yaml", std::ios::trunc) << text;
  return copy;
}

int64_t Tai(const char* iso) { return codec::ParseIsoTime(iso).value(); }

codec::Uuid Id(const char* text) { return codec::Uuid::Parse(text).value(); }

std::vector<engine::DatasetRef> All(const engine::RegistryView& view,
                                    const std::vector<std::string>& collections) {
  std::vector<engine::DatasetRef> refs;
  for (const char* type : {"bias", "flat", "raw"}) {
    engine::DatasetQuery q;
    q.dataset_type = type;
    q.collections = collections;
    q.find_first = false;
    auto found = view.QueryDatasets(q);
    REQUIRE(found.ok());
    refs.insert(refs.end(), found->begin(), found->end());
  }
  return refs;
}

TEST_CASE("A butler export written by hand is read in the butler's layout", "[ingest][butler]") {
  auto data = ParseButlerExport(ReadText(kFixture + "/export.yaml"), engine::Universe::Default());
  REQUIRE(data.ok());
  CHECK(data->dimensions.size() == 6);
  const codec::FieldMap& exposure = data->dimensions[5].records[0];
  CHECK(std::get<int64_t>(exposure.at("exposure")) == 7);  // "id" is the element's key.
  CHECK(std::get<int64_t>(exposure.at("timespan_begin")) == Tai("2021-09-09T03:00:00"));
  CHECK(exposure.count("target_name") == 0);  // null: absent.
  REQUIRE(data->collections.size() == 5);
  CHECK(data->collections[4].children == std::vector<std::string>{"Cam1/calib", "imported_g"});
  CHECK(data->collections[1].doc == "biases of September");
  REQUIRE(data->datasets.size() == 4);
  CHECK(data->datasets[2].files[0].ids.size() == 2);  // One file, two data IDs.
  CHECK_FALSE(data->datasets[1].files[0].path.has_value());
  REQUIRE(data->associations.size() == 2);
  const ButlerAssociations& calib = data->associations[1];
  REQUIRE(calib.validity_ranges.size() == 2);
  CHECK(calib.validity_ranges[0].timespan.begin == Tai("2021-09-01T00:00:00"));
  CHECK(calib.validity_ranges[1].timespan.end == codec::kUnboundedEnd);

  // What the writer makes, the reader reads back the same.
  auto again = ParseButlerExport(WriteButlerExport(*data, engine::Universe::Default()),
                                 engine::Universe::Default());
  REQUIRE(again.ok());
  CHECK(again->associations[1].validity_ranges[0].ids == calib.validity_ranges[0].ids);
  CHECK(again->dimensions[5].records[0] == exposure);
}

TEST_CASE("Butler import registers everything at once, twice changes nothing, and round-trips",
          "[ingest][butler]") {
  TempDir dir;
  auto repo = NewRepo(dir, "one");
  ButlerImportOptions options;
  options.dry_run = true;
  auto dry = ImportButlerExport(*repo, kFixture, options, "tester");
  REQUIRE(dry.ok());
  CHECK(dry->datasets == 6);
  CHECK(repo->head().sequence == 1);
  CHECK_FALSE(fs::exists(repo->root() + "/imported_g"));

  options.dry_run = false;
  // Progress counts each file as it is placed, not only around the whole.
  std::vector<std::pair<uint64_t, uint64_t>> heard;
  options.progress = [&](uint64_t done, uint64_t total) { heard.emplace_back(done, total); };
  auto imported = ImportButlerExport(*repo, kFixture, options, "tester");
  options.progress = nullptr;
  REQUIRE(imported.ok());
  for (uint64_t done = 1; done <= 4; ++done) {
    CHECK(std::count(heard.begin(), heard.end(), std::make_pair(done, uint64_t{4})) >= 1);
  }
  CHECK(imported->datasets == 6);
  CHECK(imported->files == 4);
  CHECK(imported->certified == 3);
  CHECK(imported->tagged == 2);
  auto view = repo->View().value();
  // Calibration validity: the September bias, then the open-ended one.
  const codec::FieldMap detector1 = {{"instrument", std::string("Cam1")}, {"detector", 1}};
  const int64_t mid_september = Tai("2021-09-15T00:00:00");
  auto sept = view.FindDataset("bias", detector1, {"Cam1/defaults"},
                               codec::Timespan{mid_september, mid_september + 1});
  REQUIRE(sept.ok());
  CHECK(sept->id == Id("e15ab039-bc8b-4135-87c5-90902a7c0b22"));
  const int64_t later = Tai("2030-01-01T00:00:00");
  auto open =
      view.FindDataset("bias", detector1, {"Cam1/calib"}, codec::Timespan{later, later + 1});
  REQUIRE(open.ok());
  CHECK(open->id == Id("e06b6f3c-5b3e-46d0-bdde-4ef972301116"));
  CHECK_FALSE(open->artifact.has_value());
  CHECK(view.GetCollection("Cam1/defaults").value()->children ==
        std::vector<std::string>{"Cam1/calib", "imported_g"});
  auto flat = view.GetDataset(Id("84239e7f-c41f-46d5-97b9-a27976b98ceb")).value();
  REQUIRE(flat);
  CHECK(flat->artifact->path == "imported_g/flat/flat_Cam1-G.fits");
  CHECK(flat->data_id.count("band") == 0);  // Implied: dropped as the butler's required part.
  CHECK(view.CollectionsHolding(flat->id).value().empty());
  CHECK(view.CollectionsHolding(Id("60c8a65c-7290-4c38-b1de-e3b1cdcf872d")).value() ==
        std::vector<std::string>{"Cam1/tagged/best"});

  const uint64_t head = repo->head().sequence;
  auto twice = ImportButlerExport(*repo, kFixture, options, "tester");
  REQUIRE(twice.ok());
  CHECK(twice->already_present == 6);
  CHECK(repo->head().sequence == head);

  // Export, import into a fresh repository, export and import again: the
  // two later repositories hold the same registry and the exports agree.
  ButlerExportOptions out;
  out.collections = {"Cam1/defaults", "Cam1/tagged/best"};
  auto refs = All(view, {"Cam1/defaults", "Cam1/tagged/best"});
  auto exported = ExportButler(*repo, view, refs, dir.Sub("export1"), out);
  REQUIRE(exported.ok());
  CHECK(exported->datasets == 6);
  CHECK(exported->files == 4);
  CHECK(fs::exists(dir.Sub("export1/imported_g/raw/raw_7_1.fits")));
  // No band records, as the butler has none: import makes them from the names.
  CHECK(ReadText(dir.Sub("export1/export.yaml")).find("element: band") == std::string::npos);
  auto two = NewRepo(dir, "two");
  REQUIRE(ImportButlerExport(*two, dir.Sub("export1"), options, "tester").ok());
  auto view2 = two->View().value();
  REQUIRE(ExportButler(*two, view2, All(view2, out.collections), dir.Sub("export2"), out).ok());
  CHECK(ReadText(dir.Sub("export1/export.yaml")) == ReadText(dir.Sub("export2/export.yaml")));
  auto three = NewRepo(dir, "three");
  REQUIRE(ImportButlerExport(*three, dir.Sub("export2"), options, "tester").ok());
  CHECK(two->ComputeStateDigest()->total == three->ComputeStateDigest()->total);
  CHECK(two->View()->GetDimensionRecord("band", {{"band", std::string("g")}}).value());
  auto in_three = three->View()->FindDataset("bias", detector1, {"Cam1/defaults"},
                                             codec::Timespan{mid_september, mid_september + 1});
  REQUIRE(in_three.ok());
  CHECK(in_three->id == sept->id);
}

// Each refused import leaves the repository's head and its root as they were.
void CheckRefused(const std::string& from, const std::string& expected_text,
                  bool (Status::*kind)() const) {
  TempDir dir;
  auto repo = NewRepo(dir, "repo");
  auto result = ImportButlerExport(*repo, from, {}, "tester");
  REQUIRE_FALSE(result.ok());
  INFO(result.status().ToString());
  CHECK((result.status().*kind)());
  CHECK(std::string(result.status().message()).find(expected_text) != std::string::npos);
  CHECK(repo->head().sequence == 1);
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(repo->root()))
    entries += e.path().filename() != ".starlog";
  CHECK(entries == 0);
}

TEST_CASE("Bad butler exports are refused, naming the problem, with nothing changed",
          "[ingest][butler]") {
  TempDir dir;
  SECTION("malformed YAML") {
    CheckRefused(EditedFixture(dir, "data:\n", "data: [\n"), "not valid YAML",
                 &Status::IsInvalidArgument);
  }
  SECTION("an element the universe lacks") {
    CheckRefused(EditedFixture(dir, "element: band", "element: visit_detector_region"),
                 "visit_detector_region", &Status::IsInvalidArgument);
  }
  SECTION("a field the universe lacks") {
    CheckRefused(
        EditedFixture(dir, "    detector_max: 4", "    detector_max: 4\n    visit_system: 1"),
        "visit_system", &Status::IsInvalidArgument);
  }
  SECTION("a path escaping the repository") {
    CheckRefused(EditedFixture(dir, "path: imported_g/raw/raw_7_1.fits", "path: ../../escape.fits"),
                 "escape.fits", &Status::IsInvalidArgument);
  }
  SECTION("a dataset id twice with different contents") {
    CheckRefused(EditedFixture(dir, "fd51bce1-2848-49d6-a378-f8a122f5139a']",
                               "60c8a65c-7290-4c38-b1de-e3b1cdcf872d']"),
                 "60c8a65c-7290-4c38-b1de-e3b1cdcf872d", &Status::IsConflict);
  }
  SECTION("a version this reader does not know") {
    CheckRefused(EditedFixture(dir, "version: 1.0.2", "version: 2.0.0"), "2.0.0",
                 &Status::IsNotSupported);
  }
  SECTION("a calibration range that is empty") {
    CheckRefused(EditedFixture(dir, "end: !butler_time/tai/iso '2021-10-01",
                               "end: !butler_time/tai/iso '2021-08-01"),
                 "empty", &Status::IsInvalidArgument);
  }
}

TEST_CASE("A butler export whose file would land outside the root through a link is refused",
          "[ingest][butler]") {
  TempDir dir;
  auto repo = NewRepo(dir, "repo");
  fs::create_directories(dir.Sub("elsewhere"));
  fs::create_directory_symlink(dir.Sub("elsewhere"), repo->root() + "/imported_g");
  auto result = ImportButlerExport(*repo, kFixture, {}, "tester");
  REQUIRE(result.status().IsInvalidArgument());
  CHECK(std::string(result.status().message()).find("imported_g") != std::string::npos);
  CHECK(repo->head().sequence == 1);
  CHECK(fs::is_empty(dir.Sub("elsewhere")));
  CHECK_FALSE(fs::exists(repo->root() + "/Cam1"));
}

TEST_CASE("A dataset id the repository holds with other content is a conflict, nothing changes",
          "[ingest][butler]") {
  TempDir dir;
  auto repo = NewRepo(dir, "repo");
  REQUIRE(ImportButlerExport(*repo, kFixture, {}, "tester").ok());
  const uint64_t head = repo->head().sequence;
  const std::string edited =
      EditedFixture(dir, "      detector: 2\n    path: Cam1", "      detector: 1\n    path: Cam1");
  auto result = ImportButlerExport(*repo, edited, {}, "tester");
  REQUIRE(result.status().IsConflict());
  CHECK(std::string(result.status().message()).find("51352db4") != std::string::npos);
  CHECK(repo->head().sequence == head);
}

TEST_CASE("Skipped dimensions and no files import what is left", "[ingest][butler]") {
  TempDir dir;
  const std::string with_regions = EditedFixture(
      dir, "- type: collection\n",
      "- type: dimension\n  element: visit_detector_region\n  records:\n"
      "  - {instrument: Cam1, detector: 1, visit: 1,\n"
      "     region: !<lsst.sphgeom.ConvexPolygon> {encoded: 70ab}}\n- type: collection\n");
  auto repo = NewRepo(dir, "repo");
  auto refused = ImportButlerExport(*repo, with_regions, {}, "t");
  REQUIRE(refused.status().IsInvalidArgument());
  CHECK(std::string(refused.status().message()).find("--skip-dimensions") != std::string::npos);
  CHECK(repo->head().sequence == 1);

  ButlerImportOptions options;
  options.no_files = true;
  options.read.skip_dimensions = {"visit_detector_region"};
  auto imported = ImportButlerExport(*repo, with_regions, options, "t");
  REQUIRE(imported.ok());
  CHECK(imported->datasets == 6);
  CHECK(imported->files == 0);
  CHECK_FALSE(
      repo->View()->GetDataset(Id("fd51bce1-2848-49d6-a378-f8a122f5139a")).value()->artifact);
  CHECK_FALSE(fs::exists(repo->root() + "/imported_g"));
}

TEST_CASE("Fields the universe lacks are refused, or left out and counted when asked",
          "[ingest][butler]") {
  TempDir dir;
  const std::string edited = EditedFixture(dir, "    detector_max: 4\n",
                                           "    detector_max: 4\n    visit_system: 1\n    hash: "
                                           "!!binary |\n      4p/p8QCONZ82o2d+fWnMQ5N20eY=\n");
  auto repo = NewRepo(dir, "repo");
  auto refused = ImportButlerExport(*repo, edited, {}, "t");
  REQUIRE(refused.status().IsInvalidArgument());
  CHECK(std::string(refused.status().message()).find("'visit_system'") != std::string::npos);
  CHECK(repo->head().sequence == 1);
  ButlerImportOptions options;
  options.read.drop_unknown_fields = true;
  auto imported = ImportButlerExport(*repo, edited, options, "t");
  REQUIRE(imported.ok());
  CHECK(imported->dropped_fields ==
        std::map<std::string, size_t>{{"instrument.hash", 1}, {"instrument.visit_system", 1}});
  auto instrument =
      repo->View()->GetDimensionRecord("instrument", {{"instrument", std::string("Cam1")}});
  REQUIRE(instrument.ok());
  CHECK(std::get<int64_t>((*instrument)->at("detector_max")) == 4);
}

}  // namespace
}  // namespace starlog::ingest
