#include "bench/group_commit_bench.h"

#include <rocksdb/db.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "starlog/codec/uuid.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

inline constexpr int64_t kDetectors = 4096;  // One data ID per registration in a run.

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}

// The durable write rate of raw RocksDB, one synced write of a small batch
// at a time: the floor any one writer pays per commit.
double RawSyncedWrites(const std::string& dir, int writes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw); !s.ok()) {
    std::cerr << "cannot open raw RocksDB at " << dir << ": " << s.ToString() << "\n";
    std::exit(1);
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  Stopwatch sw;
  for (int i = 0; i < writes; ++i) {
    rocksdb::WriteBatch batch;
    batch.Put("key" + std::to_string(i), std::string(200, 'x'));
    if (!raw->Write(synced, &batch).ok()) std::exit(1);
  }
  const double rate = writes / sw.Seconds();
  delete raw;
  return rate;
}

struct Run {
  double events_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// "writers" threads, each making "each" edits on a synced store: even
// writers register a dataset in their own RUN, odd ones prepend their RUN to
// one shared chain (read-modify-write under the writer's lock).
Run Concurrent(const std::string& dir, int writers, int each) {
  engine::CreateOptions create;
  create.store.sync = true;
  create.actor = "bench";
  auto store = std::move(engine::EventStore::Create(dir, create)).value();
  Check(store
            ->Append(codec::InsertDimensionRecords{"instrument",
                                                   {{{"instrument", std::string("Cam")},
                                                     {"detector_max", int64_t{kDetectors - 1}}}},
                                                   false},
                     "bench")
            .status(),
        "instrument");
  codec::InsertDimensionRecords detectors{"detector", {}, false};
  for (int64_t d = 0; d < kDetectors; ++d) {
    detectors.records.push_back({{"instrument", std::string("Cam")}, {"detector", d}});
  }
  Check(store->Append(detectors, "bench").status(), "detectors");
  Check(store
            ->Append(
                codec::RegisterDatasetType{
                    "flat", {"instrument", "detector"}, "StructuredDataDict", false},
                "bench")
            .status(),
        "dataset type");
  for (int w = 0; w < writers; ++w) {
    Check(engine::ApplyEdit(*store,
                            engine::EnsureCollectionEdit{
                                "run" + std::to_string(w), codec::CollectionType::kRun, {}},
                            "bench")
              .status(),
          "run");
  }
  std::vector<Latencies> latencies(writers);
  std::atomic<bool> failed{false};
  const uint64_t before = store->head().sequence;
  Stopwatch sw;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string run = "run" + std::to_string(w);
      for (int i = 0; i < each; ++i) {
        engine::Edit edit;
        if (w % 2 == 0) {
          codec::RegisterDatasets r;
          r.run = run;
          r.dataset_type = "flat";
          r.datasets.push_back(
              {codec::RandomUuidV4(),
               {{"instrument", std::string("Cam")}, {"detector", int64_t{i % kDetectors}}},
               std::nullopt});
          edit = engine::AppendEdit{{std::move(r)}};
        } else {
          edit = engine::ChainEditEdit{"shared", engine::ChainEdit::kPrepend, {run}, "", false};
        }
        const auto start = std::chrono::steady_clock::now();
        auto done = engine::ApplyEdit(*store, edit, "bench");
        latencies[w].Add(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count());
        if (!done.ok()) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = sw.Seconds();
  if (failed) {
    std::cerr << "a concurrent edit failed\n";
    std::exit(1);
  }
  Latencies all;
  for (const Latencies& l : latencies) all.Add(l);
  Run run;
  run.events_per_second = (store->head().sequence - before) / seconds;
  run.p50_ms = all.Percentile(0.5) / 1e6;
  run.p99_ms = all.Percentile(0.99) / 1e6;
  return run;
}

}  // namespace

void BenchGroupCommit(const std::string& scratch, bool quick, Report& report) {
  const int total = quick ? 400 : 4'000;  // Edits per writer count, in all.
  const double raw = RawSyncedWrites(scratch + "/raw-synced", quick ? 200 : 1'000);
  report.Add({"raw RocksDB, synced writes one at a time", raw, "writes/s", 0, "", ""});
  double one = 0;
  for (int writers : {1, 8, 64, 189}) {
    const int each = std::max(2, total / writers);
    const Run r = Concurrent(scratch + "/group-" + std::to_string(writers), writers, each);
    if (writers == 1) one = r.events_per_second;
    const std::string who = std::to_string(writers) + (writers == 1 ? " writer" : " writers");
    report.Add({"durable edits, " + who, r.events_per_second, "events/s", writers == 1 ? raw : one,
                writers == 1 ? "raw synced writes" : "1 writer",
                writers == 64 ? ">= 10x one writer" : ""});
    report.Add({"acknowledgement p50, " + who, r.p50_ms, "ms", 0, "", ""});
    report.Add(
        {"acknowledgement p99, " + who, r.p99_ms, "ms", 0, "", writers == 64 ? "< 20 ms" : ""});
    fs::remove_all(scratch + "/group-" + std::to_string(writers));
  }
}

}  // namespace starlog::bench
