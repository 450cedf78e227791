#include "bench/replication_bench.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/replicator.h"
#include "starlog/replication/server.h"

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

const std::string kKey = "benchmark key, not a secret at all";

// A server thread for the duration of a scope.
struct Serving {
  explicit Serving(const std::string& root) {
    replication::ServerOptions options;
    options.root = root;
    options.listen = "127.0.0.1:0";
    options.key = kKey;
    server = Must(replication::Server::Start(options), "serve");
    thread = std::thread([this] { server->Run(); });
  }
  ~Serving() {
    server->Stop();
    thread.join();
  }
  std::unique_ptr<replication::Server> server;
  std::thread thread;
};

replication::ReplicateOptions Options(const std::string& root, const std::string& from) {
  replication::ReplicateOptions o;
  o.root = root;
  o.from = from;
  o.key = kKey;
  o.sync = false;
  return o;
}

}  // namespace

void BenchReplication(const std::vector<CatchUpInput>& logs, const std::string& scratch,
                      Report& report, bool catch_up_only) {
  // --- catch-up of each log, metadata only.
  int n = 0;
  for (const CatchUpInput& log : logs) {
    uint64_t events = 0;
    {
      engine::StoreOptions read_only;
      read_only.read_only = true;
      events = Must(engine::EventStore::Open(log.repo, read_only), "open")->head().sequence;
    }
    Serving serving(log.repo);
    auto o = Options(scratch + "/replica" + std::to_string(n++), serving.server->address());
    o.copy_files = false;
    Stopwatch sw;
    Check(replication::Replicate(o), "replicate");
    const double seconds = sw.Seconds();
    report.Add(
        {"replica catch-up over TCP, " + log.label + " (" + std::to_string(events) + " events)",
         events / seconds, "events/s", log.local_rebuild, "local rebuild", "", PeakResidentMiB()});
    if (log.datasets > 0) {
      report.Add({"  datasets replicated, every event verified", log.datasets / seconds,
                  "datasets/s", log.registration, "registration", ">= registration"});
      // As `starlog replicate` runs by default: each group made durable
      // before it is acknowledged.
      auto synced = Options(scratch + "/replica" + std::to_string(n++), serving.server->address());
      synced.copy_files = false;
      synced.sync = true;
      Stopwatch synced_sw;
      Check(replication::Replicate(synced), "replicate");
      report.Add({"  the same, each group synced before its ack",
                  log.datasets / synced_sw.Seconds(), "datasets/s", log.registration,
                  "registration", ">= registration"});
    }
  }
  if (catch_up_only) return;
  const std::string repo = logs.back().repo;
  // --- a following replica's lag behind live appends.
  {
    Serving serving(repo);
    std::atomic<uint64_t> replica_head{0};
    std::atomic<bool> stop{false};
    auto o = Options(scratch + "/replica" + std::to_string(n - 1), serving.server->address());
    o.copy_files = false;
    o.follow = true;
    o.stop = [&] { return stop.load(); };
    o.progress = [&](const replication::ReplicationStatus& s) { replica_head.store(s.head); };
    std::thread follower([&] { Check(replication::Replicate(o), "follow"); });
    engine::StoreOptions writable;
    writable.sync = false;
    auto store = Must(engine::EventStore::Open(repo, writable), "open");
    while (replica_head.load() < store->head().sequence) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    Latencies lag;
    for (int i = 0; i < 200; ++i) {
      const Stopwatch sw;
      const uint64_t at =
          Must(store->Append(codec::CreateCollection{"lag/" + std::to_string(i),
                                                     codec::CollectionType::kRun, ""},
                             "bench"),
               "append")
              .sequence;
      while (replica_head.load() < at) std::this_thread::yield();
      lag.Add(sw.Seconds() * 1e3);
    }
    report.Add(
        {"follow: append to applied on the replica, p50", lag.Percentile(0.5), "ms", 0, "", ""});
    report.Add({"  p99", lag.Percentile(0.99), "ms", 0, "", "< 50 ms"});
    stop.store(true);
    follower.join();
  }
  // --- files: 32 of 4 MiB, fetched and verified, against a local copy.
  {
    engine::CreateOptions create;
    create.store.sync = false;
    const std::string files_repo = scratch + "/files-primary";
    auto store = Must(engine::EventStore::Create(files_repo, create), "create");
    Check(store
              ->Append(
                  codec::InsertDimensionRecords{
                      "instrument", {{{"instrument", std::string("HSC")}}}, false},
                  "bench")
              .status(),
          "instrument");
    Check(store
              ->Append(codec::RegisterDatasetType{"catalog", {"instrument"}, "DataFrame", false},
                       "bench")
              .status(),
          "type");
    constexpr int kFiles = 32;
    constexpr size_t kSize = 4 << 20;
    std::mt19937_64 rng(7);
    std::string bytes(kSize, '\0');
    fs::create_directories(files_repo + "/files");
    for (int i = 0; i < kFiles; ++i) {
      for (char& c : bytes) c = static_cast<char>(rng());
      const std::string path = "files/f" + std::to_string(i) + ".fits";
      std::ofstream(files_repo + "/" + path, std::ios::binary) << bytes;
      const std::string run = "run" + std::to_string(i);
      Check(store->Append(codec::CreateCollection{run, codec::CollectionType::kRun, ""}, "bench")
                .status(),
            "run");
      codec::DatasetEntry entry{engine::RandomDatasetId(),
                                {{"instrument", std::string("HSC")}},
                                Must(engine::DescribeFile(files_repo, path), "describe")};
      Check(store->Append(codec::RegisterDatasets{run, "catalog", {entry}}, "bench").status(),
            "register");
    }
    store.reset();
    const double mib = kFiles * static_cast<double>(kSize) / (1 << 20);
    Stopwatch local;
    fs::create_directories(scratch + "/plain-copy");
    for (int i = 0; i < kFiles; ++i) {
      fs::copy_file(files_repo + "/files/f" + std::to_string(i) + ".fits",
                    scratch + "/plain-copy/f" + std::to_string(i) + ".fits");
    }
    const double local_rate = mib / local.Seconds();
    Serving serving(files_repo);
    Stopwatch sw;
    Check(replication::Replicate(Options(scratch + "/files-replica", serving.server->address())),
          "replicate files");
    report.Add({"replicate files (32 x 4 MiB), each verified", mib / sw.Seconds(), "MiB/s",
                local_rate, "local copy", "", PeakResidentMiB()});
  }
}

}  // namespace starlog::bench
