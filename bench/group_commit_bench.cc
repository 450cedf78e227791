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
#include "starlog/service/client.h"
#include "starlog/service/server.h"

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

std::unique_ptr<engine::EventStore> PrepareWriters(const std::string& dir, int writers) {
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
  return store;
}

namespace {

// Writer "w"'s "i"th edit: even writers register a dataset in their own
// RUN, odd ones prepend their RUN to one shared chain (read-modify-write
// under the writer's lock).
engine::Edit EditOf(int w, int i) {
  const std::string run = "run" + std::to_string(w);
  if (w % 2 == 0) {
    codec::RegisterDatasets r;
    r.run = run;
    r.dataset_type = "flat";
    r.datasets.push_back(
        {codec::RandomUuidV4(),
         {{"instrument", std::string("Cam")}, {"detector", int64_t{i % kDetectors}}},
         std::nullopt});
    return engine::AppendEdit{{std::move(r)}};
  }
  return engine::ChainEditEdit{"shared", engine::ChainEdit::kPrepend, {run}, "", false};
}

// "writers" threads, each making "each" edits with "apply" (which takes the
// writer's number, so that a writer may hold its own connection).
template <typename ApplyFn>
Run Concurrent(int writers, int each, ApplyFn&& apply) {
  std::vector<Latencies> latencies(writers);
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> events{0};
  Stopwatch sw;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < each; ++i) {
        const auto start = std::chrono::steady_clock::now();
        Result<engine::EditResult> done = apply(w, EditOf(w, i));
        latencies[w].Add(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count());
        if (!done.ok()) {
          std::cerr << done.status().ToString() << "\n";
          failed = true;
          return;
        }
        if (done->appended()) events += done->head.sequence - done->first + 1;
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
  run.events_per_second = events / seconds;
  run.p50_ms = all.Percentile(0.5) / 1e6;
  run.p99_ms = all.Percentile(0.99) / 1e6;
  return run;
}

void AddRun(Report& report, const std::string& how, int writers, const Run& r, double one,
            double raw) {
  const std::string who = std::to_string(writers) + (writers == 1 ? " writer" : " writers");
  report.Add({"durable edits" + how + ", " + who, r.events_per_second, "events/s",
              writers == 1 ? raw : one, writers == 1 ? "raw synced writes" : "1 writer",
              writers == 64 ? ">= 10x one writer" : ""});
  report.Add({"  acknowledgement p50", r.p50_ms, "ms", 0, "", ""});
  report.Add({"  acknowledgement p99", r.p99_ms, "ms", 0, "", writers == 64 ? "< 20 ms" : ""});
}

}  // namespace

void BenchGroupCommit(const std::string& scratch, bool quick, Report& report) {
  const int total = quick ? 400 : 4'000;  // Edits per writer count, in all.
  const double raw = RawSyncedWrites(scratch + "/raw-synced", quick ? 200 : 1'000);
  report.Add({"raw RocksDB, synced writes one at a time", raw, "writes/s", 0, "", ""});
  const std::vector<int> counts = {1, 8, 64, 189};
  double one = 0;
  for (int writers : counts) {
    const std::string dir = scratch + "/group-" + std::to_string(writers);
    auto store = PrepareWriters(dir, writers);
    const Run r = Concurrent(
        writers, std::max(2, total / writers),
        [&](int, const engine::Edit& edit) { return engine::ApplyEdit(*store, edit, "bench"); });
    if (writers == 1) one = r.events_per_second;
    AddRun(report, " (in process)", writers, r, one, raw);
    store.reset();
    fs::remove_all(dir);
  }
  // The same through the service's Unix socket, a connection per writer.
  one = 0;
  for (int writers : counts) {
    const std::string dir = scratch + "/service-" + std::to_string(writers);
    PrepareWriters(dir, writers).reset();
    service::ServerOptions options;
    options.root = dir;
    options.max_connections = 512;
    auto server = std::move(service::Server::Start(options)).value();
    std::thread serving([&] { server->Run(); });
    std::vector<std::unique_ptr<service::Client>> clients;
    for (int w = 0; w < writers; ++w) {
      clients.push_back(std::move(service::Client::Connect(server->socket_path())).value());
    }
    const Run r =
        Concurrent(writers, std::max(2, total / writers),
                   [&](int w, const engine::Edit& edit) { return clients[w]->Submit(edit); });
    if (writers == 1) {
      one = r.events_per_second;
      // A request's round trip through the socket (info: the head as the
      // service sees it), the floor under a lookup through the service.
      Latencies trips;
      for (int i = 0; i < (quick ? 1'000 : 10'000); ++i) {
        const auto start = std::chrono::steady_clock::now();
        Check(clients[0]->Info().status(), "info");
        trips.Add(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                      .count());
      }
      report.Add({"service round trip (info), Unix socket, p50", trips.Percentile(0.5) / 1e3, "us",
                  0, "", "lookup < 100 us"});
      report.Add({"  p99", trips.Percentile(0.99) / 1e3, "us", 0, "", ""});
    }
    AddRun(report, " through the service", writers, r, one, raw);
    clients.clear();
    server->Stop();
    serving.join();
    server.reset();
    fs::remove_all(dir);
  }
}

}  // namespace starlog::bench
