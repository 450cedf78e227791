// A version 3 bundle (bundle.jsonl) is checked whole before anything is
// imported (checksum, line bounds, header), and imported in bounded
// batches: what is held does not grow with the bundle's lines, and an
// import stopped between batches is completed by importing again.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/bundle_lines.h"
#include "ingest/bundle_stream_import.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/bundle.h"
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

constexpr int64_t kJan = 1'704'067'200'000'000'000;
constexpr int64_t kJul = 1'719'792'000'000'000'000;

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

codec::FieldMap CamBias(int64_t detector) {
  return {{"instrument", std::string("Cam")}, {"detector", detector}};
}

// "count" biases of calib/run without files, every one certified into
// HSC/calib/DM-3 (the first one twice: before and after, one unbounded),
// the even ones tagged in HSC/picked, the chain HSC/calib over both;
// exported with --collections HSC/calib.
struct Calibrations {
  explicit Calibrations(int count) {
    // An instrument of its own, with as many detectors as asked for.
    codec::InsertDimensionRecords detectors{"detector", {}, false};
    for (int64_t d = 0; d < count; ++d) {
      detectors.records.push_back({{"instrument", std::string("Cam")}, {"detector", d}});
    }
    source.Append(codec::InsertDimensionRecords{
        "instrument",
        {{{"instrument", std::string("Cam")}, {"detector_max", int64_t{1'000'000}}}},
        false});
    source.Append(detectors);
    source.CreateCollection("calib/run", CollectionType::kRun);
    source.CreateCollection("HSC/calib/DM-3", CollectionType::kCalibration);
    source.CreateCollection("HSC/picked", CollectionType::kTagged);
    codec::RegisterDatasets reg{"calib/run", "bias", {}};
    codec::Certify certify{"HSC/calib/DM-3", "bias", {}};
    codec::Tag tag{"HSC/picked", {}};
    for (int i = 0; i < count; ++i) {
      const codec::Uuid id = RandomDatasetId();
      reg.datasets.push_back({id, CamBias(i), std::nullopt});
      certify.entries.push_back({id, {kJan, kJul}});
      if (i % 2 == 0) tag.ids.push_back(id);
    }
    source.Append(reg);
    certify.entries.push_back({reg.datasets[0].id, {kJul, codec::kUnboundedEnd}});
    source.Append(certify);
    source.Append(tag);
    source.Append(codec::CreateCollection{"HSC/calib", CollectionType::kChained, ""});
    source.SetChain("HSC/calib", {"HSC/calib/DM-3", "HSC/picked"});
    auto view = source.View();
    DatasetQuery query;
    query.dataset_type = "bias";
    query.collections = {"HSC/calib"};
    query.find_first = false;
    auto refs = view.QueryDatasets(query).value();
    ExportOptions options;
    options.collections = {"HSC/calib"};
    auto exported = ExportBundle(source.store(), view, refs, bundle, options);
    REQUIRE(exported.ok());
    REQUIRE(exported->datasets == static_cast<size_t>(count));
  }

  std::string lines_path() const { return bundle + "/" + internal::kBundleLinesFile; }

  RegistryFixture source;
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
};

// The sink of "store", refusing the batch after the first "batches".
FileSink StoppingSink(EventStore& store, int batches) {
  auto inner = LocalFileSink(store, "importer");
  auto calls = std::make_shared<int>(0);
  return [inner, calls, batches](FileBatch batch) -> Result<BatchResult> {
    if ((*calls)++ == batches) return Status::IOError("the machine went down");
    return inner(std::move(batch));
  };
}

}  // namespace

TEST_CASE("A bundle.jsonl truncated, altered, over-long or of another version changes nothing",
          "[ingest][bundle][atomic]") {
  Calibrations site(20);
  const std::string text = ReadText(site.lines_path());
  const std::vector<std::string> lines = testutil::BundleLines(text);
  const auto [setup, message] = GENERATE(
      std::pair<int, std::string>{0, "without its trailer line (truncated?)"},
      std::pair<int, std::string>{1, "the file ends inside it (truncated?)"},
      std::pair<int, std::string>{2, "trailer's line count or XXH3-128 is not that of"},
      std::pair<int, std::string>{3, "bundle line 3: longer than 1048576 bytes"},
      std::pair<int, std::string>{4, "bundle version 4 in bundle.jsonl"},
      std::pair<int, std::string>{5, "the header counts 20 datasets, the lines hold 19"},
      std::pair<int, std::string>{6, "bundle line 8: a \"dataset_type\" line after"},
      std::pair<int, std::string>{7, "overlaps dataset"},
      std::pair<int, std::string>{8, "TAGGED 'HSC/picked' is listed twice"},
      std::pair<int, std::string>{9, "is out of order or its data ID is twice in its RUN"});
  switch (setup) {
    case 0:  // The trailer lost.
      WriteText(site.lines_path(), text.substr(0, text.size() - lines.back().size() - 1));
      break;
    case 1:  // Cut inside a line.
      WriteText(site.lines_path(), text.substr(0, text.size() / 2));
      break;
    case 2: {  // One byte of a dataset changed, the trailer kept.
      std::string altered = text;
      const size_t at = altered.find("\"detector\":7");
      REQUIRE(at != std::string::npos);
      altered[at + 11] = '8';
      WriteText(site.lines_path(), altered);
      break;
    }
    case 3: {  // A collection's doc over the line bound, signed again.
      std::string altered = text;
      const size_t at = altered.find("\"doc\":\"\"");
      REQUIRE(at != std::string::npos);
      altered.replace(at, 8, "\"doc\":\"" + std::string(internal::kMaxBundleLineBytes, 'x') + "\"");
      WriteText(site.lines_path(), testutil::Resign(altered));
      break;
    }
    case 4: {
      std::string altered = text;
      altered.replace(altered.find("\"version\":3"), 11, "\"version\":4");
      WriteText(site.lines_path(), testutil::Resign(altered));
      break;
    }
    case 5: {  // A dataset line dropped, signed again.
      std::string altered;
      bool dropped = false;
      for (size_t i = 0; i + 1 < lines.size(); ++i) {
        if (!dropped && lines[i].rfind("{\"dataset\":", 0) == 0) {
          dropped = true;
          continue;
        }
        altered += lines[i] + "\n";
      }
      WriteText(site.lines_path(), testutil::Resign(altered + lines.back() + "\n"));
      break;
    }
    case 6: {  // The kinds out of order.
      std::string altered;
      for (size_t i = 0; i + 1 < lines.size(); ++i) {
        if (i == 1) continue;  // The dataset type, moved after the records.
        altered += lines[i] + "\n";
        if (i == 7) altered += lines[1] + "\n";
      }
      WriteText(site.lines_path(), testutil::Resign(altered + lines.back() + "\n"));
      break;
    }
    case 7: {  // A dataset certified twice, overlapping itself.
      std::string altered = text;
      const std::string from = "\"certified\":[";
      const size_t at = altered.find(from);
      REQUIRE(at != std::string::npos);
      const size_t end = altered.find("}]", at);
      const std::string entry = altered.substr(at + from.size(), end + 1 - at - from.size());
      altered.insert(end + 1, "," + entry);
      WriteText(site.lines_path(), testutil::Resign(altered));
      break;
    }
    case 8: {
      std::string altered = text;
      const std::string from = "\"tagged\":[\"HSC/picked\"]";
      altered.replace(altered.find(from), from.size(),
                      "\"tagged\":[\"HSC/picked\",\"HSC/picked\"]");
      WriteText(site.lines_path(), testutil::Resign(altered));
      break;
    }
    case 9: {  // Detector 1's dataset given detector 0's data ID, in the same RUN.
      std::string altered = text;
      const std::string from = "\"data_id\":{\"detector\":1,";
      altered.replace(altered.find(from), from.size(), "\"data_id\":{\"detector\":0,");
      WriteText(site.lines_path(), testutil::Resign(altered));
      break;
    }
  }
  RegistryFixture target;
  const Head before = target.store().head();
  auto imported = ImportBundle(target.store(), site.bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE_FALSE(imported.ok());
  CHECK(Says(imported.status(), message));
  CHECK(target.store().head().sequence == before.sequence);
  CHECK(target.store().head().chain_hash == before.chain_hash);
}

TEST_CASE("The line reader holds one bounded line: an over-long line is refused, naming it",
          "[ingest][bundle]") {
  TempDir dir;
  const std::string path = dir.Sub("lines");
  WriteText(path, "short\n" + std::string(internal::kMaxBundleLineBytes, 'a') + "\n" +
                      std::string(internal::kMaxBundleLineBytes + 1, 'b') + "\n");
  auto reader = internal::BundleLineReader::Open(path).value();
  std::string line;
  REQUIRE(reader->Next(&line).value());
  CHECK(line == "short");
  REQUIRE(reader->Next(&line).value());  // Exactly the bound is a line.
  CHECK(line.size() == internal::kMaxBundleLineBytes);
  auto over = reader->Next(&line);
  REQUIRE_FALSE(over.ok());
  CHECK(Says(over.status(), "bundle line 3: longer than"));
  CHECK(line.size() <= internal::kMaxBundleLineBytes);
}

TEST_CASE("Import appends in bounded batches, and what it holds does not grow with the lines",
          "[ingest][bundle]") {
  const int count = GENERATE(400, 1600);
  Calibrations site(count);
  RegistryFixture target;
  internal::StreamLimits limits;
  limits.batch = 100;
  internal::StreamStats stats;
  ImportOptions options;
  auto imported =
      internal::ImportBundleLines(target.store(), site.bundle, options,
                                  LocalFileSink(target.store(), "importer"), limits, &stats);
  INFO(imported.status().ToString());
  REQUIRE(imported.ok());
  CHECK(imported->datasets == static_cast<size_t>(count));
  CHECK(imported->certified.added == static_cast<size_t>(count) + 1);
  CHECK(imported->tagged.added == static_cast<size_t>(count) / 2);
  CHECK(imported->chains.added == 1);
  CHECK(imported->records_inserted == static_cast<size_t>(count) + 1);
  // A batch ends at the first data ID boundary past the limit: one data ID
  // a dataset here.
  CHECK(stats.largest_batch <= limits.batch);
  CHECK(stats.batches >= static_cast<size_t>(count) / limits.batch);
  CHECK(stats.largest_group == 1);
  // The one thing kept per dataset: its id (16 bytes); no file here.
  CHECK(stats.ids_held == static_cast<size_t>(count));
  CHECK(stats.files_held == 0);
  auto view = target.View();
  DatasetQuery query;
  query.dataset_type = "bias";
  query.collections = {"HSC/calib"};
  query.find_first = false;
  CHECK(view.QueryDatasets(query).value().size() ==
        static_cast<size_t>(count) + 1 + static_cast<size_t>(count) / 2);
  auto first =
      view.FindDataset("bias", CamBias(0), {"HSC/calib/DM-3"}, codec::Timespan{kJul + 5, kJul + 6});
  REQUIRE(first.ok());
  CHECK(first->validity == codec::Timespan{kJul, codec::kUnboundedEnd});
}

TEST_CASE("An import stopped between batches is completed, once, by importing again",
          "[ingest][bundle][atomic]") {
  Calibrations site(500);
  RegistryFixture target;
  internal::StreamLimits limits;
  limits.batch = 100;
  ImportOptions options;
  const uint64_t before = target.store().head().sequence;
  auto stopped = internal::ImportBundleLines(target.store(), site.bundle, options,
                                             StoppingSink(target.store(), 7), limits);
  REQUIRE_FALSE(stopped.ok());
  INFO(stopped.status().ToString());
  CHECK(Says(stopped.status(),
             "of this import are in the repository; importing the bundle "
             "again adds the rest"));
  CHECK(target.store().head().sequence > before);
  // The chain comes last: not yet.
  CHECK_FALSE(target.View().GetCollection("HSC/calib").value().has_value());

  auto again = internal::ImportBundleLines(target.store(), site.bundle, options,
                                           LocalFileSink(target.store(), "importer"), limits);
  INFO(again.status().ToString());
  REQUIRE(again.ok());
  CHECK(again->already_present > 0);
  CHECK(again->datasets + again->already_present == 500);
  CHECK(again->certified.added + again->certified.present == 501);
  CHECK(target.View().GetCollection("HSC/calib").value()->children ==
        std::vector<std::string>{"HSC/calib/DM-3", "HSC/picked"});
  const uint64_t done = target.store().head().sequence;
  auto third = ImportBundle(target.store(), site.bundle, TransferMode::kCopy, "importer");
  REQUIRE(third.ok());
  CHECK(third->datasets == 0);
  CHECK(third->already_present == 500);
  CHECK(target.store().head().sequence == done);
}

TEST_CASE("A version-2 bundle.json (one document) still imports", "[ingest][bundle]") {
  RegistryFixture target;
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
  fs::create_directories(bundle + "/files");
  const codec::Uuid id = RandomDatasetId();
  const std::string uuid = id.ToString();
  WriteText(
      bundle + "/bundle.json",
      R"({"format":"starlog-bundle","version":2,"source_repository":")" +
          RandomDatasetId().ToString() +
          R"(","source_sequence":9,"dataset_types":[{"name":"bias","dimensions":["instrument","detector"],"storage_class":"ExposureF","is_calibration":true}],"collections":[{"name":"calib/run","type":"RUN","doc":""},{"name":"HSC/calib/DM-3","type":"CALIBRATION","doc":""},{"name":"HSC/picked","type":"TAGGED","doc":""},{"name":"HSC/calib","type":"CHAINED","doc":"","children":["HSC/calib/DM-3","HSC/picked"]}],"dimension_records":[],"datasets":[{"id":")" +
          uuid +
          R"(","dataset_type":"bias","run":"calib/run","data_id":{"detector":3,"instrument":"HSC"}}],"tagged":[{"collection":"HSC/picked","ids":[")" +
          uuid + R"("]}],"certifications":[{"collection":"HSC/calib/DM-3","begin":null,"end":)" +
          std::to_string(kJul) + R"(,"ids":[")" + uuid + "\"]}]}\n");
  auto imported = ImportBundle(target.store(), bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE(imported.ok());
  CHECK(imported->datasets == 1);
  CHECK(imported->certified.added == 1);
  CHECK(imported->tagged.added == 1);
  auto found = target.View().FindDataset("bias", RegistryFixture::BiasId(3), {"HSC/calib"},
                                         codec::Timespan{kJan, kJan + 1});
  REQUIRE(found.ok());
  CHECK(found->id == id);
}

TEST_CASE("A bundle.jsonl changed between the checking pass and the append imports nothing",
          "[ingest][bundle][atomic]") {
  Calibrations site(30);
  RegistryFixture target;
  const Head before = target.store().head();
  ImportOptions options;
  bool changed = false;
  options.progress = [&](uint64_t done, uint64_t total) {
    if (changed || done != total / 2) return;  // The last dataset checked.
    std::string text = ReadText(site.lines_path());
    // Another id for the first dataset: the same order, the same rules.
    const std::string first = "{\"dataset\":{\"id\":\"";
    const size_t at = text.find(first);
    REQUIRE(at != std::string::npos);
    char& c = text[at + first.size() + 1];
    c = c == 'a' ? 'b' : 'a';
    WriteText(site.lines_path(), testutil::Resign(text));
    changed = true;
  };
  auto imported =
      ImportBundle(target.store(), site.bundle, options, LocalFileSink(target.store(), "importer"));
  REQUIRE(changed);
  INFO(imported.status().ToString());
  REQUIRE_FALSE(imported.ok());
  CHECK(Says(imported.status(), "bundle.jsonl changed since it was checked"));
  CHECK(Says(imported.status(), "nothing was imported"));
  CHECK(target.store().head().sequence == before.sequence);
}

TEST_CASE("Two datasets of one data ID in the bundle may not share a TAGGED or overlap in time",
          "[ingest][bundle][atomic]") {
  // Detector 0's bias in two RUNs, valid one after the other, the first
  // tagged.
  RegistryFixture source;
  source.CreateCollection("calib/run1", CollectionType::kRun);
  source.CreateCollection("calib/run2", CollectionType::kRun);
  source.CreateCollection("HSC/calib/DM-3", CollectionType::kCalibration);
  source.CreateCollection("HSC/picked", CollectionType::kTagged);
  const codec::Uuid first = source.AddBias("calib/run1", 0);
  const codec::Uuid second = source.AddBias("calib/run2", 0);
  source.Append(codec::Certify{"HSC/calib/DM-3", "bias", {{first, {kJan, kJul}}}});
  source.Append(codec::Certify{"HSC/calib/DM-3", "bias", {{second, {kJul, codec::kUnboundedEnd}}}});
  source.Append(codec::Tag{"HSC/picked", {first}});
  TempDir dir;
  const std::string bundle = dir.Sub("bundle");
  auto view = source.View();
  DatasetQuery query;
  query.dataset_type = "bias";
  query.collections = {"HSC/calib/DM-3"};
  query.find_first = false;
  ExportOptions options;
  options.collections = {"HSC/calib/DM-3", "HSC/picked"};
  REQUIRE(
      ExportBundle(source.store(), view, view.QueryDatasets(query).value(), bundle, options).ok());
  const std::string path = bundle + "/" + internal::kBundleLinesFile;
  std::string text = ReadText(path);
  const auto [from, to, message] = GENERATE(
      std::tuple<std::string, std::string, std::string>{"\"begin\":" + std::to_string(kJul),
                                                        "\"begin\":" + std::to_string(kJul - 1),
                                                        "overlaps dataset"},
      std::tuple<std::string, std::string, std::string>{
          "\"run\":\"calib/run2\",", "\"run\":\"calib/run2\",\"tagged\":[\"HSC/picked\"],",
          "bundle membership of TAGGED 'HSC/picked': two datasets of bias"});
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  WriteText(path, testutil::Resign(text));
  RegistryFixture target;
  const Head before = target.store().head();
  auto imported = ImportBundle(target.store(), bundle, TransferMode::kCopy, "importer");
  INFO(imported.status().ToString());
  REQUIRE_FALSE(imported.ok());
  CHECK(Says(imported.status(), message));
  CHECK(Says(imported.status(), "in the bundle") == (message == "overlaps dataset"));
  CHECK(target.store().head().sequence == before.sequence);
}

TEST_CASE("Export sorted in spilled runs writes the bytes an export sorted in memory writes",
          "[ingest][bundle][export]") {
  // Every bias certified, the first twice (so found twice: written once),
  // the even ones tagged.
  Calibrations site(3000);
  auto view = site.source.View();
  DatasetQuery query;
  query.dataset_type = "bias";
  query.collections = {"HSC/calib"};
  query.find_first = false;
  ExportOptions options;
  options.collections = {"HSC/calib"};
  options.sort_memory_bytes = 16 << 10;  // Some 50 datasets a run: runs merged too.
  const std::string spilled = site.dir.Sub("spilled");
  // Streamed from the query, as the CLI does, nothing held but the sort's.
  auto exported = ExportBundle(
      site.source.store(), view,
      [&](const RegistryView::DatasetFn& fn) { return view.ForEachDataset(query, fn); }, spilled,
      options);
  REQUIRE(exported.ok());
  CHECK(exported->datasets == 3000);
  CHECK(exported->memberships == 3000 + 1 + 1500);
  CHECK(ReadText(spilled + "/" + internal::kBundleLinesFile) == ReadText(site.lines_path()));
  // Nothing in the bundle's folder but the bundle.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(spilled)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"bundle.jsonl", "files"});
}
