#include "bench/content_bench.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "bench/bench_repository.h"
#include "engine/store/versioned_index.h"
#include "starlog/engine/content_compare.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/server.h"
#include "starlog/replication/verify.h"

namespace starlog::bench {

namespace {

constexpr int kDetectors = 200;
constexpr int kExposuresPerBatch = 5;  // 1,000 datasets an event.
constexpr int kRuns = 10;

// The same datasets, ids and all, for every repository of the run.
std::vector<codec::RegisterDatasets> Batches(int datasets) {
  std::vector<codec::RegisterDatasets> out;
  const int64_t exposures = datasets / kDetectors;
  for (int64_t first = 0; first < exposures; first += kExposuresPerBatch) {
    codec::RegisterDatasets e{
        "run/" + std::to_string((first / kExposuresPerBatch) % kRuns), "raw", {}};
    for (int64_t x = first; x < first + kExposuresPerBatch; ++x) {
      for (int64_t d = 0; d < kDetectors; ++d) {
        e.datasets.push_back(
            {engine::RandomDatasetId(),
             {{"instrument", std::string("HSC")}, {"exposure", x}, {"detector", d}},
             std::nullopt});
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::unique_ptr<engine::EventStore> Prepared(const std::string& root, int exposures) {
  engine::CreateOptions create;
  create.store.sync = false;
  auto store = Must(engine::EventStore::Create(root, create), "create");
  AddHscDimensions(*store, kDetectors);
  codec::InsertDimensionRecords records{"exposure", {}, false};
  for (int64_t x = 0; x < exposures; ++x) {
    records.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
  }
  Must(store->Append(records, "b"), "exposures");
  Must(store->Append(
           codec::RegisterDatasetType{
               "raw", {"instrument", "exposure", "detector"}, "Exposure", false},
           "b"),
       "type");
  for (int r = 0; r < kRuns; ++r) {
    Must(store->Append(
             codec::CreateCollection{"run/" + std::to_string(r), codec::CollectionType::kRun, ""},
             "b"),
         "run");
  }
  return store;
}

// Datasets/s registering "batches" in the order of "order".
double Register(engine::EventStore& store, const std::vector<codec::RegisterDatasets>& batches,
                const std::vector<size_t>& order) {
  Stopwatch sw;
  size_t n = 0;
  for (size_t i : order) {
    Must(store.Append(batches[i], "bench"), "register");
    n += batches[i].datasets.size();
  }
  return static_cast<double>(n) / sw.Seconds();
}

}  // namespace

void BenchContent(const std::string& scratch, int datasets, Report& report) {
  const std::vector<codec::RegisterDatasets> batches = Batches(datasets);
  const int exposures = datasets / kDetectors;
  std::vector<size_t> forwards(batches.size());
  for (size_t i = 0; i < forwards.size(); ++i) forwards[i] = i;
  std::vector<size_t> backwards(forwards.rbegin(), forwards.rend());

  // Without and with, three times each, alternating: the best of each, so
  // that a busy moment of the machine counts against neither.
  double with = 0, without = 0;
  for (int round = 0; round < 3; ++round) {
    // Each round in the other order, so that neither always goes first.
    for (const bool second : {false, true}) {
      const bool keep = second == (round % 2 == 0);
      const std::string root =
          scratch + "/content-" + (keep ? "on" : "off") + std::to_string(round);
      auto store = Prepared(root, exposures);
      engine::IndexBatch::TEST_set_content_partitions(keep);
      const double rate = Register(*store, batches, forwards);
      engine::IndexBatch::TEST_set_content_partitions(true);
      (keep ? with : without) = std::max(keep ? with : without, rate);
      store.reset();
      if (!(keep && round == 0)) std::filesystem::remove_all(root);
    }
  }
  report.Add({"register datasets, content digests kept", with, "datasets/s", without,
              "same, without them", "within a few percent"});

  // Another lineage: the same datasets in the reverse order, one left out.
  auto here =
      Must(engine::EventStore::Open(scratch + "/content-on0", engine::StoreOptions()), "open");
  auto there = Prepared(scratch + "/content-reversed", exposures);
  Register(*there, batches, backwards);
  {
    Stopwatch sw;
    const engine::ContentReport r = Must(engine::CompareContent(*here, *there), "compare");
    Check(r.agree ? Status::OK() : Status::Corruption("copies of one content disagree"), "agree");
    report.Add({"verify --content, " + std::to_string(datasets) + " datasets, agreeing",
                sw.Seconds() * 1e3, "ms", 0, "", "bounded by what differs"});
  }
  const codec::DatasetEntry& gone = batches[batches.size() / 2].datasets[123];
  double local_ms = 0;
  Must(there->Append(codec::RemoveDatasets{{gone.id}}, "bench"), "remove");
  {
    Stopwatch sw;
    const engine::ContentReport r = Must(engine::CompareContent(*here, *there), "compare");
    Check(r.differences == 1 && r.entries.size() == 1 && r.entries[0].here &&
                  r.entries[0].here->id == gone.id
              ? Status::OK()
              : Status::Corruption("the dataset left out is not the one named"),
          "one differs");
    local_ms = sw.Seconds() * 1e3;
    report.Add({"verify --content, one dataset differs (a run of " +
                    std::to_string(datasets / kRuns) + " merged)",
                local_ms, "ms", 0, "", "bounded by what differs"});
  }
  {
    // The same against a `starlog serve` of "there" on loopback: the differing
    // run's entries travel in pages, the rest not at all.
    replication::ServerOptions options;
    options.root = there->root();
    options.listen = "127.0.0.1:0";
    options.key = "a key for the content benchmark";
    auto server = Must(replication::Server::Start(options), "serve");
    std::thread serving([&] { server->Run(); });
    replication::VerifyOptions verify;
    verify.content = true;
    verify.key = options.key;
    Stopwatch sw;
    auto r = replication::Verify(*here, server->address(), verify);
    const double ms = sw.Seconds() * 1e3;
    server->Stop();
    serving.join();
    const auto report_of = Must(std::move(r), "verify over the network");
    Check(report_of.content && report_of.content->differences == 1
              ? Status::OK()
              : Status::Corruption("the network comparison names another difference"),
          "one differs over the network");
    report.Add({"verify --content against a peer, one dataset differs", ms, "ms", local_ms,
                "same, both folders here", "a few times the local merge"});
  }
}

}  // namespace starlog::bench
