// Ingest of real FITS files written by cfitsio in the test: two instruments,
// gzip and tile-compressed variants, a broken file, one missing a keyword;
// every transfer mode; templates; ingesting twice.

#include "starlog/ingest/ingest.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/policy.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/file_template.h"
#include "starlog/ingest/fits_header.h"
#include "starlog/ingest/fsck.h"
#include "starlog/ingest/link_tree.h"
#include "tests/engine/registry_test_util.h"
#include "tests/ingest/ingest_fixture.h"
#include "tests/testutil/fifo_guard.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using namespace starlog::ingest;
using testutil::RawCards;
using testutil::TempDir;
using testutil::WriteFits;
namespace fs = std::filesystem;

using testutil::IngestRepo;
using Repo = IngestRepo;

TEST_CASE("cfitsio reads plain, gzip and tile-compressed headers", "[ingest][fits]") {
  TempDir dir;
  const auto cards =
      RawCards("FakeCam", 10, 1, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05.5", 30);
  WriteFits(dir.Sub("a.fits"), cards);
  WriteFits(dir.Sub("b.fits.gz"), cards);
  WriteFits(dir.Sub("c.fits.fz"), cards, /*tile_compress=*/true);
  WriteFits(dir.Sub("d.fits.Z"), cards);  // Unix compress, as ESO's archive delivers.
  for (const char* name : {"a.fits", "b.fits.gz", "c.fits.fz", "d.fits.Z"}) {
    INFO(name);
    auto header = ReadFitsHeader(dir.Sub(name));
    REQUIRE(header.ok());
    CHECK(header->at("INSTRUME").text == "FakeCam");
    CHECK(header->at("EXPNUM").integer == 10);
    CHECK(header->at("EXPTIME").number == 30);
    CHECK(header->at("DATE-OBS").text == "2024-03-02T03:04:05.5");
  }
  std::ofstream(dir.Sub("text.fits")) << "this is not a FITS file\n";
  auto bad = ReadFitsHeader(dir.Sub("text.fits"));
  CHECK(bad.status().IsInvalidArgument());
  CHECK(std::string(bad.status().message()).find("not a FITS file") != std::string::npos);
  CHECK(ReadFitsHeader(dir.Sub("absent.fits")).status().IsNotFound());
}

TEST_CASE("Ingest derives data IDs and records from headers, bad files are skipped with reasons",
          "[ingest]") {
  Repo r;
  for (int e : {10, 11}) {
    for (int d : {0, 1}) {
      WriteFits(r.In("fake_" + std::to_string(e) + "_" + std::to_string(d) + ".fits"),
                RawCards("FakeCam", e, d, e == 10 ? "FakeCam-R" : "FakeCam-I", "SCIENCE",
                         "2024-03-02T03:04:05", 30));
    }
  }
  WriteFits(r.In("fake_12_0.fits.gz"),
            RawCards("FakeCam", 12, 0, "FakeCam-R", "BIAS", "2024-03-02T13:00:00", 0));
  WriteFits(r.In("fake_13_0.fits.fz"),
            RawCards("FakeCam", 13, 0, "FakeCam-R", "FLAT", "2024-03-02T14:00:00", 2), true);
  WriteFits(r.In("fake_15_1.fits.Z"),
            RawCards("FakeCam", 15, 1, "FakeCam-I", "DARK", "2024-03-02T15:00:00", 60));
  WriteFits(r.In("other_5_0.fits"),
            RawCards("other-cam", 5, 0, "G", "science", "2024-03-03T01:00:00", 15));
  std::ofstream(r.In("notes.txt")) << "not FITS at all";
  auto lacking = RawCards("FakeCam", 14, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 30);
  lacking.erase(lacking.begin() + 1);  // No EXPNUM.
  WriteFits(r.In("fake_no_expnum.fits"), lacking);
  WriteFits(r.In("stranger.fits"), RawCards("Nobody", 1, 1, "X", "science", "2024-03-02", 1));

  auto o = r.Options();
  auto report = r.Run({r.dir.Sub("in")}, o);
  REQUIRE(report.ok());
  CHECK(report->files == 11);
  CHECK(report->ingested == 8);
  REQUIRE(report->skipped.size() == 3);
  std::map<std::string, std::string> why;
  for (const auto& s : report->skipped) why[fs::path(s.file).filename().string()] = s.reason;
  CHECK(why["notes.txt"].find("not a FITS file") != std::string::npos);
  CHECK(why["fake_no_expnum.fits"].find("lacks keyword EXPNUM") != std::string::npos);
  CHECK(why["stranger.fits"].find("no translator matches") != std::string::npos);

  auto view = r.store->View().value();
  auto found = view.FindDataset("raw", r.RawId("FakeCam", 11, 1), {"FakeCam/raw/all"});
  REQUIRE(found.ok());
  CHECK(found->id == DeterministicDatasetId("raw", r.RawId("FakeCam", 11, 1), "FakeCam/raw/all"));
  REQUIRE(found->artifact.has_value());
  CHECK(DescribeFile(r.store->root(), found->artifact->path).value() == *found->artifact);
  // Records from the header: implied filter and band, day_obs shifted by -12 h,
  // the exposure's timespan in TAI (UTC + 37 s), optional fields when present.
  auto exposure = view.GetDimensionRecord("exposure", r.RawId("FakeCam", 11, 1)).value();
  REQUIRE(exposure.has_value());
  CHECK(std::get<std::string>(exposure->at("physical_filter")) == "FakeCam-I");
  CHECK(std::get<int64_t>(exposure->at("day_obs")) == 20240301);
  CHECK(std::get<std::string>(exposure->at("observation_type")) == "science");
  CHECK(std::get<std::string>(exposure->at("target_name")) == "COSMOS");
  const int64_t begin = std::get<int64_t>(exposure->at("timespan_begin"));
  CHECK(std::get<int64_t>(exposure->at("timespan_end")) - begin == 30'000'000'000);
  auto filter =
      view.GetDimensionRecord("physical_filter", {{"instrument", std::string("FakeCam")},
                                                  {"physical_filter", std::string("FakeCam-I")}})
          .value();
  REQUIRE(filter.has_value());
  CHECK(std::get<std::string>(filter->at("band")) == "i");
  auto detector = view.GetDimensionRecord("detector", r.RawId("FakeCam", 0, 1)).value();
  REQUIRE(detector.has_value());
  CHECK(std::get<std::string>(detector->at("full_name")) == "ccd1");
  CHECK(view.FindDataset("raw", r.RawId("OtherCam", 5, 0), {"FakeCam/raw/all"}).ok());
  auto fz = view.FindDataset("raw", r.RawId("FakeCam", 13, 0), {"FakeCam/raw/all"}).value();
  CHECK(fz.artifact->path.size() > 8);
  CHECK(fz.artifact->path.substr(fz.artifact->path.size() - 8) == ".fits.fz");

  // Ingesting the same files again makes no duplicate, and no event.
  const uint64_t head = r.store->head().sequence;
  auto again = r.Run({r.dir.Sub("in")}, o);
  REQUIRE(again.ok());
  CHECK(again->ingested == 0);
  CHECK(again->already_present == 8);
  CHECK(r.store->head().sequence == head);
}

TEST_CASE("Every transfer mode places the file and records its size and checksum",
          "[ingest][transfer]") {
  Repo r;
  int exposure = 100;
  for (const char* mode : {"copy", "move", "hardlink", "symlink", "relsymlink", "direct"}) {
    INFO(mode);
    const std::string source = std::string(mode) == "direct"
                                   ? r.dir.Sub("repo/incoming/direct.fits")
                                   : r.In(std::string(mode) + ".fits");
    fs::create_directories(fs::path(source).parent_path());
    WriteFits(source,
              RawCards("FakeCam", exposure, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1));
    const codec::Artifact before =
        DescribeFile(fs::path(source).parent_path().string(), fs::path(source).filename().string())
            .value();
    auto o = r.Options();
    o.transfer = *TransferModeFromName(mode);
    auto report = r.Run({source}, o);
    REQUIRE(report.ok());
    REQUIRE(report->ingested == 1);
    auto ref = r.store->View()
                   ->FindDataset("raw", r.RawId("FakeCam", exposure, 0), {"FakeCam/raw/all"})
                   .value();
    REQUIRE(ref.artifact.has_value());
    CHECK(ref.artifact->size == before.size);
    CHECK(ref.artifact->checksum == before.checksum);
    const std::string placed = r.store->root() + "/" + ref.artifact->path;
    CHECK(DescribeFile(r.store->root(), ref.artifact->path).value().checksum == before.checksum);
    const std::string m = mode;
    if (m == "direct") CHECK(ref.artifact->path == "incoming/direct.fits");
    if (m == "move") CHECK_FALSE(fs::exists(source));
    if (m == "copy") {
      CHECK(fs::exists(source));
      CHECK_FALSE(fs::is_symlink(placed));
    }
    if (m == "hardlink") CHECK(fs::equivalent(source, placed));
    if (m == "symlink") CHECK(fs::read_symlink(placed).is_absolute());
    if (m == "relsymlink") CHECK(fs::read_symlink(placed).is_relative());
    ++exposure;
  }
  // Direct transfer of a file outside the root is refused for that file.
  WriteFits(r.In("outside.fits"),
            RawCards("FakeCam", 200, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1));
  auto o = r.Options();
  o.transfer = TransferMode::kDirect;
  auto report = r.Run({r.In("outside.fits")}, o);
  REQUIRE(report.ok());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].reason.find("not under the repository root") != std::string::npos);
}

TEST_CASE("A refused registration leaves no file placed", "[ingest][transfer]") {
  Repo r;
  WriteFits(r.In("a.fits"),
            RawCards("FakeCam", 10, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1));
  REQUIRE(r.Run({r.In("a.fits")}, r.Options()).ok());
  REQUIRE(r.store
              ->Append(
                  codec::RegisterDatasetType{
                      "raw2", {"instrument", "exposure", "detector"}, "Exposure", false},
                  "t")
              .ok());
  // Everything the second ingest needs exists, but the store refuses writes.
  const std::string root = r.store->root();
  r.store.reset();
  StoreOptions read_only;
  read_only.read_only = true;
  r.store = std::move(EventStore::Open(root, read_only)).value();
  auto o = r.Options();
  o.dataset_type = "raw2";
  auto report = r.Run({r.In("a.fits")}, o);
  CHECK(report.status().IsPermissionDenied());
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root + "/FakeCam/raw/all")) {
    if (!e.is_directory() && e.path().string().find("/raw2/") != std::string::npos) ++files;
  }
  CHECK(files == 0);
}

TEST_CASE("File templates: formats, optional fields, uniqueness", "[ingest][template]") {
  auto t = FileTemplate::Parse(
               "{run}/{datasetType}/{day_obs}/{exposure:08d}/"
               "{instrument}_{physical_filter:?}_{detector:03d}")
               .value();
  codec::FieldMap v = {{"run", std::string("HSC/raw/all")},
                       {"datasetType", std::string("raw")},
                       {"day_obs", int64_t{20240301}},
                       {"exposure", int64_t{903334}},
                       {"instrument", std::string("HSC")},
                       {"physical_filter", std::string("HSC-R")},
                       {"detector", int64_t{7}}};
  CHECK(t.Format(v, ".fits").value() == "HSC/raw/all/raw/20240301/00903334/HSC_HSC-R_007.fits");
  v.erase("physical_filter");
  CHECK(t.Format(v, ".fits").value() == "HSC/raw/all/raw/20240301/00903334/HSC_007.fits");
  v.erase("day_obs");
  auto missing = t.Format(v, ".fits");
  CHECK(missing.status().IsInvalidArgument());
  CHECK(std::string(missing.status().message()).find("'day_obs'") != std::string::npos);
  CHECK(t.CheckUnique({"detector", "exposure", "instrument"}).ok());
  auto loose = FileTemplate::Parse("{run}/{datasetType}/{exposure}.fits").value();
  auto s = loose.CheckUnique({"detector", "exposure", "instrument"});
  CHECK(s.IsInvalidArgument());
  CHECK(std::string(s.message()).find("'detector'") != std::string::npos);
  CHECK(FileTemplate::Parse("{run").status().IsInvalidArgument());
  CHECK(FileTemplate::Parse("{run:x9}").status().IsInvalidArgument());
  CHECK(FileExtension("a/b/c.fits.fz") == ".fits.fz");
  CHECK(FileExtension("c.fits.gz") == ".fits.gz");
}

TEST_CASE("Translator configs name the line of an error", "[ingest][translator]") {
  auto bad =
      ParseTranslator("instrument X\nmatch INSTRUME X\nvalue exposure EXPNUM sideways\n", "x.cfg");
  CHECK(bad.status().IsInvalidArgument());
  CHECK(std::string(bad.status().message()).find("x.cfg line 3") != std::string::npos);
  CHECK(ParseTranslator("value exposure EXPNUM\n", "y.cfg").status().IsInvalidArgument());
}

TEST_CASE(
    "fsck finds missing, resized and altered files and files no dataset owns, --fix detaches "
    "only the missing",
    "[ingest][fsck]") {
  Repo r;
  r.IngestExposure(4);
  auto clean = CheckFiles(*r.store).value();
  CHECK(clean.files_checked == 4);
  CHECK(clean.clean());

  auto view = r.store->View().value();
  const auto path_of = [&](int d) {
    return view.FindDataset("raw", r.RawId("FakeCam", 10, d), {"FakeCam/raw/all"})->artifact->path;
  };
  const std::string root = r.store->root() + "/";
  fs::remove(root + path_of(0));
  fs::resize_file(root + path_of(1), 100);
  {
    std::fstream f(root + path_of(2), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3000);
    f.put('!');
  }
  std::ofstream(root + "stray.txt") << "nobody's";
  std::ofstream(root + path_of(3) + ".starlog-partial") << "half";

  auto report = CheckFiles(*r.store).value();
  REQUIRE(report.problems.size() == 3);
  std::map<std::string, FileProblem::Kind> kinds;
  for (const FileProblem& p : report.problems) kinds[p.artifact.path] = p.kind;
  CHECK(kinds[path_of(0)] == FileProblem::Kind::kMissing);
  CHECK(kinds[path_of(1)] == FileProblem::Kind::kSize);
  CHECK(kinds[path_of(2)] == FileProblem::Kind::kChecksum);
  CHECK(report.unowned == std::vector<std::string>{path_of(3) + ".starlog-partial", "stray.txt"});

  const uint64_t head = r.store->head().sequence;
  auto fixed = DetachMissingFiles(*r.store, report, "fsck").value();
  REQUIRE(fixed.has_value());
  CHECK(fixed->sequence == head + 1);
  auto after = CheckFiles(*r.store).value();
  CHECK(after.problems.size() == 2);  // The others need a person.
  CHECK(after.files_checked == 3);
  auto detached =
      r.store->View()->FindDataset("raw", r.RawId("FakeCam", 10, 0), {"FakeCam/raw/all"}).value();
  CHECK_FALSE(detached.artifact.has_value());
  CHECK_FALSE(DetachMissingFiles(*r.store, after, "fsck").value().has_value());
}

TEST_CASE("link makes a tree of symbolic links by template, a missing key is named",
          "[ingest][link]") {
  Repo r;
  r.IngestExposure(3);
  auto refs = r.store->View()->QueryDatasets(Repo::Raws()).value();
  REQUIRE(refs.size() == 3);
  auto t = FileTemplate::Parse("{run}/input/{exposure}/{detector:03d}").value();
  LinkOptions options;
  options.to = r.dir.Sub("tree");
  auto made = LinkDatasets(r.store->root(), refs, t, options);
  REQUIRE(made.ok());
  CHECK(made->created == 3);
  const std::string link = r.dir.Sub("tree/FakeCam/raw/all/input/10/001.fits");
  REQUIRE(fs::is_symlink(link));
  CHECK(fs::read_symlink(link).is_absolute());
  CHECK(DescribeFile(r.dir.Sub("tree/FakeCam/raw/all/input/10"), "001.fits").value().checksum ==
        refs[1].artifact->checksum);
  CHECK(LinkDatasets(r.store->root(), refs, t, options)->unchanged == 3);  // Idempotent.

  options.to = r.dir.Sub("relative");
  options.relative = true;
  REQUIRE(LinkDatasets(r.store->root(), refs, t, options).ok());
  CHECK(fs::read_symlink(r.dir.Sub("relative/FakeCam/raw/all/input/10/000.fits")).is_relative());
  CHECK(fs::exists(r.dir.Sub("relative/FakeCam/raw/all/input/10/000.fits")));

  auto missing = LinkDatasets(r.store->root(), refs,
                              FileTemplate::Parse("{run}/{visit}/{detector}").value(), options);
  CHECK(missing.status().IsInvalidArgument());
  CHECK(std::string(missing.status().message()).find("'visit'") != std::string::npos);
  options.to = r.dir.Sub("shared");
  auto shared =
      LinkDatasets(r.store->root(), refs, FileTemplate::Parse("{run}/{exposure}").value(), options);
  CHECK(shared.status().IsConflict());
  CHECK_FALSE(fs::exists(r.dir.Sub("shared")));  // Nothing half done.
}

TEST_CASE("export and import move datasets with their records and verified files",
          "[ingest][bundle]") {
  Repo source;
  source.IngestExposure(3);
  DatasetQuery query = Repo::Raws();
  query.where = WhereClause::Parse("detector IN (0, 2)").value();
  auto view = source.store->View().value();
  auto refs = view.QueryDatasets(query).value();
  REQUIRE(refs.size() == 2);
  const std::string bundle = source.dir.Sub("bundle");
  auto exported = ExportBundle(*source.store, view, refs, bundle);
  REQUIRE(exported.ok());
  CHECK(exported->files == 2);
  CHECK(exported->records >= 6);  // instrument, band, filter, day_obs, exposure, 2 detectors.
  CHECK(ExportBundle(*source.store, view, refs, bundle).status().IsInvalidArgument());

  TempDir target_dir;
  CreateOptions options;
  options.store.sync = false;
  auto target = std::move(EventStore::Create(target_dir.Sub("repo"), options)).value();
  auto imported = ImportBundle(*target, bundle, TransferMode::kCopy, "importer");
  REQUIRE(imported.ok());
  CHECK(imported->datasets == 2);
  auto there =
      target->View()->FindDataset("raw", source.RawId("FakeCam", 10, 2), {"FakeCam/raw/all"});
  REQUIRE(there.ok());
  CHECK(there->id == refs[1].id);
  CHECK(DescribeFile(target->root(), there->artifact->path).value() == *there->artifact);
  auto exposure = target->View()->GetDimensionRecord("exposure", source.RawId("FakeCam", 10, 0));
  REQUIRE(exposure.ok());
  CHECK(exposure->has_value());
  CHECK_FALSE(
      target->View()->FindDataset("raw", source.RawId("FakeCam", 10, 1), {"FakeCam/raw/all"}).ok());

  // Twice: nothing new. A damaged bundle file: refused, nothing changed.
  const uint64_t head = target->head().sequence;
  auto again = ImportBundle(*target, bundle, TransferMode::kCopy, "importer");
  REQUIRE(again.ok());
  CHECK(again->already_present == 2);
  CHECK(target->head().sequence == head);
  TempDir other_dir;
  auto other = std::move(EventStore::Create(other_dir.Sub("repo"), options)).value();
  const uint64_t empty_head = other->head().sequence;
  fs::resize_file(bundle + "/files/" + refs[0].artifact->path, 10);
  auto damaged = ImportBundle(*other, bundle, TransferMode::kCopy, "importer");
  CHECK(damaged.status().IsCorruption());
  CHECK(std::string(damaged.status().message()).find(refs[0].artifact->path) != std::string::npos);
  CHECK(other->head().sequence == empty_head);
}

TEST_CASE(
    "Translators refuse values that would overflow: hours past two days, absurd exposure "
    "times",
    "[ingest][translator]") {
  CHECK(ParseTranslator("instrument X\nmatch INSTRUME X\nday_obs DATE-OBS 9999999\n", "x.cfg")
            .status()
            .IsInvalidArgument());
  auto t = ParseTranslator("instrument X\nmatch INSTRUME X\ntimespan exposure DATE-OBS EXPTIME\n",
                           "x.cfg")
               .value();
  FitsHeader header;
  header["DATE-OBS"] = {FitsCard::Kind::kString, "2024-03-02T03:04:05", 0, 0};
  header["EXPTIME"] = {FitsCard::Kind::kFloat, "1e300", 0, 1e300};
  auto r = t.Translate(header, Universe::Default());
  CHECK(r.status().IsInvalidArgument());
  CHECK(std::string(r.status().message()).find("not an exposure time") != std::string::npos);
  header["EXPTIME"] = {FitsCard::Kind::kFloat, "-1", 0, -1};
  CHECK(t.Translate(header, Universe::Default()).status().IsInvalidArgument());
}

TEST_CASE("An ingest that registers nothing leaves no empty RUN", "[ingest][atomic]") {
  Repo r;
  WriteFits(r.In("stranger.fits"), RawCards("Nobody", 1, 1, "X", "science", "2024-03-02", 1));
  const uint64_t head = r.store->head().sequence;
  auto report = r.Run({r.In("stranger.fits")}, r.Options("FakeCam/raw/new"));
  REQUIRE(report.ok());
  CHECK(report->ingested == 0);
  CHECK(report->skipped.size() == 1);
  CHECK(r.store->head().sequence == head);
  CHECK_FALSE(r.store->View()->GetCollection("FakeCam/raw/new").value().has_value());
}

TEST_CASE("A refused import adds no dataset type, RUN, record or file",
          "[ingest][bundle][atomic]") {
  Repo source;
  source.IngestExposure(1);
  auto view = source.store->View().value();
  auto refs = view.QueryDatasets(Repo::Raws()).value();
  const std::string bundle = source.dir.Sub("bundle");
  REQUIRE(ExportBundle(*source.store, view, refs, bundle).ok());

  // Under DMTN-167's policy anyone may register the dataset type and insert
  // the records, but only operators may create FakeCam/raw/all: the import
  // is refused after those events, and none of them may stay.
  TempDir target_dir;
  auto target = CreatePoliced(target_dir.Sub("repo"));
  const Head before = target->head();
  auto imported = ImportBundle(*target, bundle, TransferMode::kCopy, "alice");
  REQUIRE_FALSE(imported.ok());
  CHECK(imported.status().IsPermissionDenied());
  CHECK(std::string(imported.status().message()).find("nothing was imported") != std::string::npos);
  CHECK(target->head().sequence == before.sequence);
  CHECK(target->head().chain_hash == before.chain_hash);
  CHECK_FALSE(target->View()->GetDatasetType("raw").ok());
  size_t files = 0;
  const std::string private_folder = "/" + std::string(kPrivateFolder) + "/";
  for (const auto& e : fs::recursive_directory_iterator(target_dir.Sub("repo"))) {
    if (e.is_regular_file() && e.path().string().find(private_folder) == std::string::npos) ++files;
  }
  CHECK(files == 0);
  // An operator's import of the same bundle goes through whole.
  REQUIRE(ImportBundle(*target, bundle, TransferMode::kCopy, "boss").ok());
  CHECK(target->View()->GetDatasetType("raw").ok());
}

TEST_CASE("Ingest of the repository root never walks into .starlog", "[ingest][paths]") {
  Repo r;
  fs::create_directories(r.dir.Sub("repo/incoming"));
  WriteFits(r.dir.Sub("repo/incoming/a.fits"),
            RawCards("FakeCam", 30, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1));
  auto files = ExpandInputs({r.store->root()});
  REQUIRE(files.ok());
  REQUIRE_FALSE(files->empty());
  const std::string private_folder = "/" + std::string(kPrivateFolder);
  for (const std::string& f : *files) {
    INFO(f);
    CHECK(f.find(private_folder) == std::string::npos);
  }
  CHECK(ExpandInputs({r.store->root() + private_folder}).value().empty());
  // Named one by one, the registry's files are skipped, unread.
  auto o = r.Options();
  o.transfer = TransferMode::kDirect;
  auto report = Ingest(*r.store, {RegistryPath(r.store->root()) + "/CURRENT"}, o);
  REQUIRE(report.ok());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].reason.find("registry's own .starlog folder") != std::string::npos);
  CHECK(Ingest(*r.store, *files, o).ok());
}

TEST_CASE("Ingest skips a FIFO with a clear reason instead of waiting on it",
          "[ingest][paths][fifo]") {
  Repo r;
  testutil::GuardedFifo fifo(r.In("pipe.fits"));
  auto report = r.Run({r.In("pipe.fits")}, r.Options());
  REQUIRE(report.ok());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].reason.find("a FIFO") != std::string::npos);
  // Walking a folder takes regular files only.
  CHECK(ExpandInputs({r.dir.Sub("in")}).value().empty());
}

TEST_CASE("A template value cannot steer a path out of the root or into .starlog",
          "[ingest][template][paths]") {
  auto t = FileTemplate::Parse("{instrument}/{run}/{detector:03d}").value();
  codec::FieldMap v = {{"run", std::string("HSC/raw/all")},
                       {"instrument", std::string("HSC")},
                       {"detector", int64_t{7}}};
  CHECK(t.Format(v, ".fits").value() == "HSC/HSC/raw/all/007.fits");
  for (const char* instrument : {".starlog",
                                 "a\x01"
                                 "b",
                                 "\xff"}) {
    INFO(instrument);
    v["instrument"] = std::string(instrument);
    CHECK(t.Format(v, ".fits").status().IsInvalidArgument());
  }
}
