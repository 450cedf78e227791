// Conflicts are never silent: a file describing an exposure (or any record)
// differently from the registry or from an earlier file is skipped, naming
// both files and the field, unless update_records replaces the record.

#include <catch2/catch.hpp>

#include "tests/ingest/ingest_fixture.h"

using namespace starlog;
using namespace starlog::ingest;
using testutil::IngestRepo;
using testutil::RawCards;
using testutil::WriteFits;

namespace {

std::string Exposure10Filter(IngestRepo& r) {
  auto view = r.store->View().value();
  auto record = view.GetDimensionRecord("exposure", r.RawId("FakeCam", 10, 0)).value();
  REQUIRE(record.has_value());
  return std::get<std::string>(record->at("physical_filter"));
}

}  // namespace

TEST_CASE("A second file describing an exposure differently is a conflict naming both files",
          "[ingest][conflict]") {
  IngestRepo r;
  WriteFits(r.In("a.fits"),
            RawCards("FakeCam", 10, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 30));
  REQUIRE(r.Run({r.In("a.fits")}, r.Options())->ingested == 1);
  const uint64_t head = r.store->head().sequence;

  // Another detector of exposure 10, but its header says another filter.
  WriteFits(r.In("b.fits"),
            RawCards("FakeCam", 10, 1, "FakeCam-I", "SCIENCE", "2024-03-02T03:04:05", 30));
  auto report = r.Run({r.In("b.fits")}, r.Options());
  REQUIRE(report.ok());
  CHECK(report->ingested == 0);
  REQUIRE(report->skipped.size() == 1);
  const std::string& why = report->skipped[0].reason;
  INFO(why);
  CHECK(why.find("physical_filter") != std::string::npos);
  CHECK(why.find("'FakeCam-R'") != std::string::npos);
  CHECK(why.find("'FakeCam-I'") != std::string::npos);
  // The earlier file, as the registry has it (placed by the template).
  CHECK(why.find("repo/FakeCam/raw/all/raw/r/20240301/FakeCam-R/raw_FakeCam_10_0.fits") !=
        std::string::npos);
  CHECK(why.find("exposure {exposure=10, instrument=FakeCam}") != std::string::npos);
  CHECK(r.store->head().sequence == head);  // Nothing written.
  CHECK(Exposure10Filter(r) == "FakeCam-R");

  // Time and target too: each field is compared.
  WriteFits(r.In("c.fits"),
            RawCards("FakeCam", 10, 2, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:06", 30));
  report = r.Run({r.In("c.fits")}, r.Options());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].reason.find("timespan_begin") != std::string::npos);

  // The same file twice stays a no-op.
  report = r.Run({r.In("a.fits")}, r.Options());
  REQUIRE(report.ok());
  CHECK(report->skipped.empty());
  CHECK(report->already_present == 1);
  CHECK(r.store->head().sequence == head);
}

TEST_CASE("Two files of one batch that disagree: the second is the conflict, naming the first",
          "[ingest][conflict]") {
  IngestRepo r;
  WriteFits(r.In("1.fits"),
            RawCards("FakeCam", 10, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 30));
  WriteFits(r.In("2.fits"),
            RawCards("FakeCam", 10, 1, "FakeCam-R", "SCIENCE", "2024-03-03T03:04:05", 30));
  auto report = r.Run({r.In("1.fits"), r.In("2.fits")}, r.Options());
  REQUIRE(report.ok());
  CHECK(report->ingested == 1);
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].file == r.In("2.fits"));
  const std::string& why = report->skipped[0].reason;
  INFO(why);
  CHECK(why.find(r.In("1.fits")) != std::string::npos);
  CHECK(why.find("day_obs") != std::string::npos);
}

TEST_CASE("update_records replaces the record the file describes differently",
          "[ingest][conflict]") {
  IngestRepo r;
  WriteFits(r.In("a.fits"),
            RawCards("FakeCam", 10, 0, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 30));
  REQUIRE(r.Run({r.In("a.fits")}, r.Options())->ingested == 1);
  WriteFits(r.In("b.fits"),
            RawCards("FakeCam", 10, 1, "FakeCam-I", "SCIENCE", "2024-03-02T03:04:05", 30));
  auto o = r.Options();
  o.update_records = true;
  auto report = r.Run({r.In("b.fits")}, o);
  REQUIRE(report.ok());
  INFO((report->skipped.empty() ? "" : report->skipped[0].reason));
  CHECK(report->skipped.empty());
  CHECK(report->ingested == 1);
  CHECK(Exposure10Filter(r) == "FakeCam-I");
}
