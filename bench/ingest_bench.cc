#include "bench/ingest_bench.h"

#include <fitsio.h>

#include <array>
#include <filesystem>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/ingest/builtin_translators.h"
#include "starlog/ingest/ingest.h"

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

constexpr int kDetectorsPerExposure = 189;

// One LSSTCam raw's primary header, no data: the keywords the built-in
// translator reads, as the camera writes them (obs_lsst's test headers).
void WriteHeader(const std::string& path, int seq, int detector) {
  static constexpr std::array<const char*, 21> kRafts = {
      "R01", "R02", "R03", "R10", "R11", "R12", "R13", "R14", "R20", "R21", "R22",
      "R23", "R24", "R30", "R31", "R32", "R33", "R34", "R41", "R42", "R43"};
  static constexpr std::array<const char*, 9> kSlots = {"S00", "S01", "S02", "S10", "S11",
                                                        "S12", "S20", "S21", "S22"};
  int status = 0;
  fitsfile* f = nullptr;
  const std::string create = "!" + path;
  fits_create_file(&f, create.c_str(), &status);
  fits_create_img(f, SHORT_IMG, 0, nullptr, &status);
  auto text = [&](const char* key, const std::string& value) {
    fits_write_key(f, TSTRING, key, const_cast<char*>(value.c_str()), nullptr, &status);
  };
  auto number = [&](const char* key, double value) {
    fits_write_key(f, TDOUBLE, key, &value, nullptr, &status);
  };
  auto integer = [&](const char* key, int value) {
    fits_write_key(f, TINT, key, &value, nullptr, &status);
  };
  char seqnum[8];
  std::snprintf(seqnum, sizeof(seqnum), "%06d", seq);
  // Exposures 15 s long, 30 s apart, from 01:00 TAI.
  const int start = 3600 + 30 * seq;
  char begin[40], end[40];
  std::snprintf(begin, sizeof(begin), "2025-04-16T%02d:%02d:%02d.000", start / 3600,
                start / 60 % 60, start % 60);
  std::snprintf(end, sizeof(end), "2025-04-16T%02d:%02d:%02d.000", start / 3600,
                (start + 15) / 60 % 60, (start + 15) % 60);
  text("IMGTYPE", "OBJECT");
  text("DATE-OBS", begin);
  text("DATE-BEG", begin);
  text("DATE-END", end);
  text("TIMESYS", "TAI");
  text("INSTRUME", "lsstCam");
  text("TELESCOP", "Simonyi Survey Telescope");
  text("OBSID", std::string("MC_O_20250415_") + seqnum);
  text("OBJECT", "Vela_SNR");
  text("CONTRLLR", "O");
  text("DAYOBS", "20250415");
  integer("SEQNUM", seq);
  text("PROGRAM", "BLOCK-T434");
  text("REASON", "science");
  text("RAFTBAY", kRafts[detector / 9]);
  text("CCDSLOT", kSlots[detector % 9]);
  text("FILTER", "i_39");
  number("EXPTIME", 15.0);
  number("SHUTTIME", 15.0);
  fits_close_file(f, &status);
  if (status != 0) {
    char message[FLEN_STATUS];
    fits_get_errstatus(status, message);
    std::cerr << "write " << path << ": " << message << "\n";
    std::exit(1);
  }
}

// What a header read costs alone: every key record of each file, by cfitsio.
double RawHeaderReads(const std::vector<std::string>& files) {
  Stopwatch clock;
  for (const std::string& path : files) {
    int status = 0;
    fitsfile* f = nullptr;
    fits_open_file(&f, path.c_str(), READONLY, &status);
    int keys = 0;
    fits_get_hdrspace(f, &keys, nullptr, &status);
    char card[FLEN_CARD];
    for (int i = 1; i <= keys; ++i) fits_read_record(f, i, card, &status);
    fits_close_file(f, &status);
    if (status != 0) {
      std::cerr << "read " << path << " failed\n";
      std::exit(1);
    }
  }
  return files.size() / clock.Seconds();
}

double IngestRate(const std::string& root, const std::vector<std::string>& files,
                  ingest::TransferMode mode) {
  engine::CreateOptions create;
  create.store.sync = false;
  create.actor = "bench";
  auto store = Must(engine::EventStore::Create(root, create), "create");
  Check(store
            ->AppendAll({codec::RegisterDatasetType{
                            "raw", {"instrument", "exposure", "detector"}, "Exposure", false}},
                        "bench")
            .status(),
        "dataset type");
  ingest::IngestOptions options;
  options.run = "LSSTCam/raw/all";
  options.transfer = mode;
  options.actor = "bench";
  options.translators.push_back(Must(ingest::BuiltinTranslator("LSSTCam"), "translator"));
  Stopwatch clock;
  auto report = Must(ingest::Ingest(*store, files, options), "ingest");
  const double seconds = clock.Seconds();
  if (report.ingested != files.size()) {
    std::cerr << "ingest took " << report.ingested << " of " << files.size() << " files";
    if (!report.skipped.empty()) std::cerr << " (" << report.skipped.front().reason << ")";
    std::cerr << "\n";
    std::exit(1);
  }
  return files.size() / seconds;
}

}  // namespace

void BenchIngest(const std::string& scratch, bool quick, Report& report) {
  const int files_wanted = quick ? 1000 : 10000;
  const std::string dir = scratch + "/ingest";
  const std::string in_place = dir + "/in-place";
  fs::create_directories(in_place + "/incoming");
  fs::create_directories(dir + "/incoming");
  std::vector<std::string> inside, outside;
  for (int i = 0; i < files_wanted; ++i) {
    const int seq = 1 + i / kDetectorsPerExposure;
    const int detector = i % kDetectorsPerExposure;
    const std::string name =
        "MC_O_20250415_" + std::to_string(seq) + "_" + std::to_string(detector) + ".fits";
    WriteHeader(in_place + "/incoming/" + name, seq, detector);
    fs::copy_file(in_place + "/incoming/" + name, dir + "/incoming/" + name);
    inside.push_back(in_place + "/incoming/" + name);
    outside.push_back(dir + "/incoming/" + name);
  }
  const double raw = RawHeaderReads(outside);
  const double direct = IngestRate(in_place, inside, ingest::TransferMode::kDirect);
  const double copy = IngestRate(dir + "/by-copy", outside, ingest::TransferMode::kCopy);
  const std::string n = std::to_string(files_wanted);
  report.Add({"ingest " + n + " LSSTCam headers in place", direct, "files/s", raw,
              "cfitsio header reads", ">= 2000 files/s"});
  report.Add({"ingest " + n + " LSSTCam headers by copy", copy, "files/s", raw,
              "cfitsio header reads", ""});
  fs::remove_all(dir);
}

}  // namespace starlog::bench
