#include "bench/seek_bench.h"

#include <filesystem>

#include "bench/bench_repository.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/diff.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/where.h"

namespace starlog::bench {

namespace {

namespace fs = std::filesystem;

constexpr int kDetectors = 189;  // LSSTCam's science and wavefront sensors.

std::unique_ptr<engine::EventStore> NewRepository(const std::string& dir) {
  fs::remove_all(dir);
  engine::CreateOptions create;
  create.store.sync = false;
  auto store = Must(engine::EventStore::Create(dir, create), "create");
  AddHscDimensions(*store, kDetectors);
  Must(store->Append(
           codec::RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true}, "b"),
       "type");
  Must(
      store->Append(codec::CreateCollection{"calib", codec::CollectionType::kCalibration, ""}, "b"),
      "calib");
  return store;
}

// Per epoch: the biases registered (the baseline: an event of the same
// size with nothing to check against earlier epochs), then certified.
void BenchCertify(const std::string& dir, int epochs, Report& report) {
  auto store = NewRepository(dir);
  constexpr int64_t kEpoch = 1'000'000'000'000;
  double register_seconds = 0;
  std::vector<double> certify_seconds;
  for (int k = 0; k < epochs; ++k) {
    const std::string run = "calib/run" + std::to_string(k);
    Must(store->Append(codec::CreateCollection{run, codec::CollectionType::kRun, ""}, "b"), "run");
    const auto [e, c] = BiasEpoch(run, kDetectors, k, kEpoch);
    Stopwatch reg;
    Must(store->Append(e, "b"), "bias");
    register_seconds += reg.Seconds();
    Stopwatch cert;
    Must(store->Append(c, "b"), "certify");
    certify_seconds.push_back(cert.Seconds());
  }
  const auto rate = [&](size_t from, size_t to) {
    double s = 0;
    for (size_t i = from; i < to; ++i) s += certify_seconds[i];
    return static_cast<double>((to - from) * kDetectors) / s;
  };
  const size_t n = certify_seconds.size();
  const std::string label = "certify, " + std::to_string(kDetectors) + " detectors x " +
                            std::to_string(epochs) + " epochs";
  report.Add({label, rate(0, n), "certifications/s",
              static_cast<double>(n * kDetectors) / register_seconds, "registering them",
              ">= 100,000/s"});
  report.Add({"  the last tenth of its epochs", rate(n - n / 10, n), "certifications/s",
              rate(0, n / 10), "the first tenth", "flat in epochs (ratio ~1)"});
}

// diff over one event inserting "records" exposure records, against reading
// each of them by key at both ends (what diff must cost at most, and more).
void BenchDiff(const std::string& dir, int records, Report& report) {
  auto store = NewRepository(dir);
  const uint64_t from = store->head().sequence;
  codec::InsertDimensionRecords exposures{"exposure", {}, false};
  for (int64_t x = 0; x < records; ++x) {
    exposures.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
  }
  Must(store->Append(exposures, "b"), "exposures");
  const uint64_t to = store->head().sequence;
  Stopwatch raw;
  {
    auto before = Must(store->View(from), "view");
    auto after = Must(store->View(to), "view");
    for (const codec::FieldMap& r : exposures.records) {
      Must(before.GetDimensionRecord("exposure", r), "record");
      Must(after.GetDimensionRecord("exposure", r), "record");
    }
  }
  const double raw_rate = records / raw.Seconds();
  Stopwatch sw;
  auto diff = Must(engine::DiffRegistry(*store, from, to), "diff");
  const double seconds = sw.Seconds();
  if (diff.records.size() != static_cast<size_t>(records)) {
    Check(Status::Corruption("diff missed records"), "diff");
  }
  report.Add({"diff of " + std::to_string(records) + " inserted records", records / seconds,
              "records/s", raw_rate, "reads by key at both ends",
              "linear: the same rate at 1k/2k/4k"});
}

// query-data-ids exposure detector --where "exposure = 7" among "exposures"
// x 189 detectors of records (issue 17, item 1: the cross product held 797
// MB for 200 rows at 10k exposures), against reading its rows' records by
// key; its peak memory is the figure's.
void BenchDataIds(const std::string& dir, int exposures, Report& report) {
  auto store = NewRepository(dir);
  codec::InsertDimensionRecords records{"exposure", {}, false};
  for (int64_t x = 0; x < exposures; ++x) {
    records.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
  }
  Must(store->Append(records, "b"), "exposures");
  auto view = Must(store->View(), "view");
  const auto where = Must(engine::WhereClause::Parse("exposure = 7"), "where");
  Stopwatch raw;
  for (int64_t d = 0; d < kDetectors; ++d) {
    const codec::FieldMap id = {
        {"instrument", std::string("HSC")}, {"exposure", int64_t{7}}, {"detector", d}};
    Must(view.GetDimensionRecord("exposure", id), "record");
    Must(view.GetDimensionRecord("detector", id), "record");
  }
  const double raw_ms = raw.Seconds() * 1000;
  ResetPeakResident();
  Stopwatch sw;
  auto rows = Must(view.QueryDataIds({"exposure", "detector"}, where), "query-data-ids");
  const double ms = sw.Seconds() * 1000;
  if (rows.size() != static_cast<size_t>(kDetectors)) {
    Check(Status::Corruption("query-data-ids missed rows"), "query-data-ids");
  }
  report.Add({"query-data-ids \"exposure = 7\" (" + std::to_string(rows.size()) + " of " +
                  std::to_string(static_cast<int64_t>(exposures) * kDetectors) + " pairs)",
              ms, "ms", raw_ms, "its rows' records by key",
              "seeks, not the cross product (peak MiB small)"});
}

}  // namespace

void BenchSeeks(const std::string& scratch, bool quick, Report& report) {
  const std::string dir = scratch + "/seeks";
  for (int epochs : quick ? std::vector<int>{20, 80} : std::vector<int>{50, 400}) {
    BenchCertify(dir, epochs, report);
  }
  for (int records : {1000, 2000, 4000}) BenchDiff(dir, records, report);
  BenchDataIds(dir, quick ? 2000 : 10000, report);
  fs::remove_all(dir);
}

}  // namespace starlog::bench
