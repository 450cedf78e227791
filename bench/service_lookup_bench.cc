#include "bench/service_lookup_bench.h"

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "starlog/codec/uuid.h"
#include "starlog/engine/event_store.h"
#include "starlog/service/client.h"
#include "starlog/service/server.h"

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kDetectors = 4096;
constexpr int kDepth = 10;

codec::FieldMap DataId(int64_t detector) {
  return {{"instrument", std::string("Cam")}, {"detector", detector}};
}

// Runs run0 (first searched) to run9 behind chain "chain"; every detector's
// flat in run9, the last, and a few in each run before it.
void Prepare(const std::string& dir) {
  engine::CreateOptions create;
  create.store.sync = false;
  create.actor = "bench";
  auto store = Must(engine::EventStore::Create(dir, create), "create");
  codec::InsertDimensionRecords detectors{"detector", {}, false};
  for (int64_t d = 0; d < kDetectors; ++d) detectors.records.push_back(DataId(d));
  std::vector<codec::EventBody> bodies = {
      codec::InsertDimensionRecords{"instrument", {{{"instrument", std::string("Cam")}}}, false},
      detectors,
      codec::RegisterDatasetType{"flat", {"instrument", "detector"}, "StructuredDataDict", false},
  };
  codec::SetChain chain{"chain", {}};
  for (int r = 0; r < kDepth; ++r) {
    const std::string run = "run" + std::to_string(r);
    bodies.push_back(codec::CreateCollection{run, codec::CollectionType::kRun, ""});
    codec::RegisterDatasets datasets{run, "flat", {}};
    const int64_t count = r == kDepth - 1 ? kDetectors : 8;
    // Before run9, detectors 0-7, which the lookups never ask for (they ask
    // 8 and up): each lookup passes over nine runs to find its dataset.
    for (int64_t d = 0; d < count; ++d) {
      datasets.datasets.push_back({codec::RandomUuidV4(), DataId(d), std::nullopt});
    }
    bodies.push_back(std::move(datasets));
    chain.children.push_back(run);
  }
  bodies.push_back(codec::CreateCollection{"chain", codec::CollectionType::kChained, ""});
  bodies.push_back(std::move(chain));
  Check(store->AppendAll(std::move(bodies), "bench").status(), "prepare");
}

struct Run {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// "threads" threads, each making "each" lookups with lookup(thread, detector).
template <typename LookupFn>
Run Lookups(int threads, int each, LookupFn&& lookup) {
  std::vector<Latencies> latencies(threads);
  std::atomic<bool> failed{false};
  Stopwatch sw;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::uniform_int_distribution<int64_t> detector(8, kDetectors - 1);
      for (int i = 0; i < each; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const Status found = lookup(t, detector(rng));
        latencies[t].Add(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count());
        if (!found.ok()) {
          std::cerr << found.ToString() << "\n";
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = sw.Seconds();
  if (failed) {
    std::cerr << "a lookup failed\n";
    std::exit(1);
  }
  Latencies all;
  for (const Latencies& l : latencies) all.Add(l);
  return {threads * each / seconds, all.Percentile(0.5) / 1e3, all.Percentile(0.99) / 1e3};
}

void AddRun(Report& report, const std::string& how, int threads, const Run& r, const Run& local) {
  const bool remote = how == "through the service";
  const std::string who =
      std::to_string(threads) +
      (remote ? (threads == 1 ? " client" : " clients") : (threads == 1 ? " thread" : " threads"));
  report.Add({"find-first, 10-deep chain, " + how + ", " + who, r.per_second, "lookups/s",
              remote ? local.per_second : 0, remote ? "local view" : "", ""});
  report.Add({"  p50", r.p50_us, "us", remote ? local.p50_us : 0, remote ? "local view" : "",
              remote ? "round trip < 100 us" : ""});
  report.Add({"  p99", r.p99_us, "us", remote ? local.p99_us : 0, remote ? "local view" : "", ""});
}

}  // namespace

void BenchServiceLookup(const std::string& scratch, bool quick, Report& report) {
  const std::string dir = scratch + "/service-lookup";
  Prepare(dir);
  service::ServerOptions options;
  options.root = dir;
  options.store.sync = false;
  auto server = Must(service::Server::Start(options), "serve");
  std::thread serving([&] { server->Run(); });
  engine::StoreOptions read_only;
  read_only.read_only = true;
  auto local_store = Must(engine::EventStore::Open(dir, read_only), "open read-only");
  const std::vector<std::string> chain = {"chain"};
  const int each = quick ? 1'000 : 10'000;
  {
    // Gone before its store closes.
    const engine::RegistryView view = Must(local_store->View(), "view");
    for (int threads : {1, 8}) {
      const Run local = Lookups(threads, each, [&](int, int64_t detector) {
        return view.FindDataset("flat", DataId(detector), chain).status();
      });
      std::vector<std::unique_ptr<service::Client>> clients;
      for (int t = 0; t < threads; ++t) {
        clients.push_back(Must(service::Client::Connect(server->socket_path()), "connect"));
      }
      const Run remote = Lookups(threads, each, [&](int t, int64_t detector) {
        return clients[t]->FindDataset("flat", DataId(detector), chain).status();
      });
      AddRun(report, "local view", threads, local, local);
      AddRun(report, "through the service", threads, remote, local);
      if (threads == 1) {
        // The socket's own round trip (info: no lookup), in the same run.
        const Run info =
            Lookups(1, each, [&](int, int64_t) { return clients[0]->Info().status(); });
        report.Add(
            {"  of which the socket's round trip (info), p50", info.p50_us, "us", 0, "", ""});
      }
    }
  }
  server->Stop();
  serving.join();
  server.reset();
  local_store.reset();
  fs::remove_all(dir);
}

}  // namespace starlog::bench
