#pragma once

// A repository with the raw dataset type and a folder of incoming files, and
// two small translators (FakeCam, OtherCam), for the ingest tests.

#include <catch2/catch.hpp>
#include <filesystem>

#include "starlog/engine/event_store.h"
#include "starlog/ingest/ingest.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::testutil {

inline constexpr char kFakeCam[] = R"(# FakeCam: a small fake camera
instrument FakeCam
match INSTRUME FakeCam
value exposure EXPNUM
value detector CCDNUM
value physical_filter FILTER
value band FILTER map=FakeCam-R:r,FakeCam-I:i
value exposure.observation_type IMGTYPE lower
value exposure.target_name OBJECT optional
value detector.full_name CCDNAME optional
constant instrument.class_name fake.FakeCam
timespan exposure DATE-OBS EXPTIME
day_obs DATE-OBS -12
)";

inline constexpr char kOtherCam[] = R"(instrument OtherCam
match INSTRUME other-cam
value exposure EXPNUM
value detector CCDNUM
value physical_filter FILTER
value band FILTER lower
value exposure.observation_type IMGTYPE lower
day_obs DATE-OBS 0
)";

struct IngestRepo {
  IngestRepo() {
    engine::CreateOptions options;
    options.store.sync = false;
    store = std::move(engine::EventStore::Create(dir.Sub("repo"), options)).value();
    REQUIRE(store
                ->Append(
                    codec::RegisterDatasetType{
                        "raw", {"instrument", "exposure", "detector"}, "Exposure", false},
                    "t")
                .ok());
    std::filesystem::create_directories(dir.Sub("in"));
  }
  ingest::IngestOptions Options(const std::string& run = "FakeCam/raw/all") {
    ingest::IngestOptions o;
    o.run = run;
    o.actor = "tester";
    o.translators = {ingest::ParseTranslator(kFakeCam, "fakecam.cfg").value(),
                     ingest::ParseTranslator(kOtherCam, "othercam.cfg").value()};
    return o;
  }
  std::string In(const std::string& name) const { return dir.Sub("in/" + name); }
  Result<ingest::IngestReport> Run(const std::vector<std::string>& inputs,
                                   const ingest::IngestOptions& o) {
    auto files = ingest::ExpandInputs(inputs).value();
    return ingest::Ingest(*store, files, o);
  }
  codec::FieldMap RawId(const std::string& instrument, int64_t exposure, int64_t detector) {
    return {{"instrument", instrument}, {"exposure", exposure}, {"detector", detector}};
  }
  // Ingests science raws of FakeCam exposure 10, detectors 0 to "detectors" - 1,
  // into FakeCam/raw/all.
  void IngestExposure(int detectors) {
    for (int d = 0; d < detectors; ++d) {
      WriteFits(In("f" + std::to_string(d) + ".fits"),
                RawCards("FakeCam", 10, d, "FakeCam-R", "SCIENCE", "2024-03-02T03:04:05", 1));
    }
    REQUIRE(Run({dir.Sub("in")}, Options()).ok());
  }
  // The raws of FakeCam/raw/all.
  static engine::DatasetQuery Raws() {
    engine::DatasetQuery query;
    query.dataset_type = "raw";
    query.collections = {"FakeCam/raw/all"};
    return query;
  }

  TempDir dir;
  std::unique_ptr<engine::EventStore> store;
};

}  // namespace starlog::testutil
