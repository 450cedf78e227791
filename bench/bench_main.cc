// starlog's benchmark: builds its own repositories, measures, and prints each
// figure beside a raw-RocksDB baseline measured in the same run (the physical
// limit for the same keys), then writes the figures to a JSON file.
//
//   starlog_bench [--quick|--full] [--exposures N] [--dir DIR] [--out FILE] [--keep]
//   starlog_bench --service-lookup [--quick]    only the lookup through the service
//   starlog_bench --ingest [--quick]            only the ingest of FITS headers
//   starlog_bench --seeks [--quick]             only certify, diff and query-datasets (seconds)
//   starlog_bench --catch-up [--exposures N]    only registration, its rebuild and a replica's
//                                               catch-up of it, each beside its baseline
//   starlog_bench --register [--exposures N]    only registration beside raw RocksDB
//   starlog_bench --content [--quick]           only content digests: registration, verify
//   starlog_bench --cli [--quick]               only what one register-datasets and one
//                                               find-dataset process cost (seconds)
//
// Default scale: 200,000 datasets, 100,000 events of history for as-of;
// --full: 10,000,000 datasets and 1,000,000 events (hours, tens of GB);
// --quick: a smoke run. Appends use sync=false, as does the baseline.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>

#include "bench/bench_repository.h"
#include "bench/bench_util.h"
#include "bench/cli_process_bench.h"
#include "bench/content_bench.h"
#include "bench/group_commit_bench.h"
#include "bench/ingest_bench.h"
#include "bench/replication_bench.h"
#include "bench/seek_bench.h"
#include "bench/service_lookup_bench.h"
#include "bench/stream_bench.h"
#include "engine/model/registry_keys.h"
#include "engine/store/column_families.h"
#include "engine/store/meta_keys.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/universe.h"

namespace fs = std::filesystem;
using namespace starlog;
using namespace starlog::bench;

namespace {

struct Scale {
  int exposures = 1000;  // Datasets = exposures x detectors.
  int detectors = 200;
  uint64_t history = 100'000;
  int epochs = 50;
  int lookups = 200'000;
};

constexpr int kRuns = 10;              // The find-first chain's depth.
constexpr int kExposuresPerBatch = 5;  // With 200 detectors: 1,000 datasets per event.

// The raw type's dimensions, as Setup registers it and the baseline keys it.
const std::vector<std::string> kRawDimensions = {"instrument", "exposure", "detector"};

codec::FieldMap RawId(int64_t exposure, int64_t detector) {
  return {{"instrument", std::string("HSC")}, {"exposure", exposure}, {"detector", detector}};
}

std::string RunOf(int64_t exposure) {
  return "run/" + std::to_string((exposure / kExposuresPerBatch) % kRuns);
}

codec::RegisterDatasets Batch(int batch, int detectors_per_exposure, int exposures_per_batch) {
  const int64_t first = static_cast<int64_t>(batch) * exposures_per_batch;
  codec::RegisterDatasets e{RunOf(first), "raw", {}};
  for (int64_t x = first; x < first + exposures_per_batch; ++x) {
    for (int64_t d = 0; d < detectors_per_exposure; ++d) {
      e.datasets.push_back({engine::RandomDatasetId(), RawId(x, d), std::nullopt});
    }
  }
  return e;
}

void Setup(engine::EventStore& store, const Scale& scale) {
  AddHscDimensions(store, std::max(scale.detectors, 200));
  for (int64_t x = 0; x < scale.exposures;) {
    codec::InsertDimensionRecords exposures{"exposure", {}, false};
    for (int n = 0; n < 10'000 && x < scale.exposures; ++n, ++x) {
      exposures.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
    }
    Must(store.Append(exposures, "b"), "exposures");
  }
  Must(store.Append(codec::RegisterDatasetType{"raw", kRawDimensions, "Exposure", false}, "b"),
       "type");
  Must(store.Append(
           codec::RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true}, "b"),
       "type");
  std::vector<std::string> runs;
  for (int r = 0; r < kRuns; ++r) {
    runs.push_back("run/" + std::to_string(r));
    Must(store.Append(codec::CreateCollection{runs.back(), codec::CollectionType::kRun, ""}, "b"),
         "run");
  }
  Must(store.Append(codec::CreateCollection{"chain", codec::CollectionType::kChained, ""}, "b"),
       "chain");
  Must(store.Append(codec::SetChain{"chain", runs}, "b"), "chain");
}

// The families the raw-RocksDB baseline writes, in the order of their handles
// after RocksDB's default family.
constexpr std::array kBaselineFamilies = {
    engine::Family::kLog,           engine::Family::kHeads,    engine::Family::kTime,
    engine::Family::kMeta,          engine::Family::kDatasets, engine::Family::kDatasetIds,
    engine::Family::kDatasetLookup,
};

size_t BaselineHandle(engine::Family f) {
  return 1 + (std::find(kBaselineFamilies.begin(), kBaselineFamilies.end(), f) -
              kBaselineFamilies.begin());
}

// The raw-RocksDB baseline: the same keys and values per event, in one
// WriteBatch per event, without validation or indexes' reads.
double BaselineRegistration(const std::string& dir, const Scale& scale, rocksdb::DB** out_db,
                            std::vector<rocksdb::ColumnFamilyHandle*>* out_handles) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (engine::Family f : kBaselineFamilies) {
    cfs.emplace_back(std::string(engine::FamilyName(f)), rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* db = nullptr;
  Check(rocksdb::DB::Open(options, dir, cfs, out_handles, &db).ok() ? Status::OK()
                                                                    : Status::IOError("open"),
        "baseline open");
  auto& h = *out_handles;
  const int batches = scale.exposures / kExposuresPerBatch;
  rocksdb::WriteOptions wo;
  // The data ID keys as the engine writes them: the values of the type's
  // keys, through the engine's own encoder (universe.h, registry_keys.h).
  const std::vector<std::string> raw_keys =
      Must(engine::Universe::Default().RequiredKeys(kRawDimensions), "raw keys");
  Stopwatch sw;
  codec::Hash128 chain;
  for (int b = 0; b < batches; ++b) {
    const uint64_t seq = static_cast<uint64_t>(b) + 1;
    codec::RegisterDatasets e = Batch(b, scale.detectors, kExposuresPerBatch);
    codec::Event event{seq, 0, "b", e, ""};
    std::string frame;
    Check(codec::AppendEventFrame(event, &frame), "frame");
    chain = codec::NextChainHash(chain, frame);
    rocksdb::WriteBatch wb;
    const std::string seq_key = codec::SequenceKey(seq);
    const std::string head(engine::kHeadRecordSize, 'h');
    wb.Put(h[BaselineHandle(engine::Family::kLog)], seq_key, frame);
    wb.Put(h[BaselineHandle(engine::Family::kHeads)], seq_key, head);
    wb.Put(h[BaselineHandle(engine::Family::kTime)], seq_key + seq_key, "");
    wb.Put(h[BaselineHandle(engine::Family::kMeta)], std::string(engine::kMetaHead), head);
    for (const auto& d : e.datasets) {
      const std::string data_id = Must(engine::EncodeDataIdValues(d.data_id, raw_keys), "data ID");
      const std::string id(d.id.AsBytes());
      wb.Put(h[BaselineHandle(engine::Family::kDatasets)],
             engine::VersionedKey(engine::keys::Dataset(e.run, "raw", data_id), seq), "\x01" + id);
      wb.Put(h[BaselineHandle(engine::Family::kDatasetIds)],
             engine::VersionedKey(engine::keys::DatasetId(d.id), seq),
             "\x01" + engine::keys::EncodeDatasetRecord({e.run, "raw", data_id}));
      wb.Put(h[BaselineHandle(engine::Family::kDatasetLookup)],
             engine::VersionedKey(engine::keys::Lookup("raw", data_id, e.run), seq), "\x01" + id);
    }
    db->Write(wo, &wb);
  }
  const double rate =
      static_cast<double>(batches) * kExposuresPerBatch * scale.detectors / sw.Seconds();
  *out_db = db;
  return rate;
}

double BaselineReads(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, int n) {
  // Warm point reads of random keys through an iterator Seek, as starlog's
  // versioned reads do.
  std::vector<std::string> keys;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid() && keys.size() < 100'000; it->Next()) {
      keys.push_back(it->key().ToString());
    }
  }
  std::mt19937 rng(1);
  Stopwatch sw;
  size_t found = 0;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    it->Seek(keys[rng() % keys.size()]);
    found += it->Valid();
  }
  return found / sw.Seconds();
}

struct LookupResult {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

template <typename Fn>
LookupResult TimeLookups(int n, Fn&& lookup) {
  Latencies lat;
  Stopwatch total;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    lookup(i);
    lat.Add(
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
  }
  return {n / total.Seconds(), lat.Percentile(0.5) / 1000, lat.Percentile(0.99) / 1000};
}

}  // namespace

// The registered log's rebuild and a replica's catch-up of it, without the
// rest: seconds to compare a change of the replicated apply path.
void BenchCatchUpOnly(const std::string& dir, uint64_t datasets, double registration_rate,
                      Report& report) {
  engine::StoreOptions unsynced;
  unsynced.sync = false;
  Stopwatch sw;
  Check(engine::EventStore::Rebuild(dir + "/registered", unsynced), "rebuild");
  const double rebuild_registered = datasets / sw.Seconds();
  report.Add({"rebuild, registrations only (" + std::to_string(datasets) + " datasets)",
              rebuild_registered, "datasets/s", registration_rate, "registration", "ratio >= 1"});
  engine::StoreOptions read_only;
  read_only.read_only = true;
  const uint64_t events =
      Must(engine::EventStore::Open(dir + "/registered", read_only), "open")->head().sequence;
  BenchReplication(
      {{dir + "/registered", "registrations only",
        rebuild_registered * static_cast<double>(events) / datasets, datasets, registration_rate}},
      dir, report, /*catch_up_only=*/true);
}

int main(int argc, char** argv) {
  Scale scale;
  std::string dir = "/tmp/starlog-bench";
  std::string out = "bench.json";
  bool keep = false;  // Leave the repositories behind, to profile commands on them.
  bool quick = false;
  bool lookup_only = false;
  bool ingest_only = false;
  bool seeks_only = false;
  bool catch_up_only = false;
  bool register_only = false;
  bool content_only = false;
  bool cli_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--service-lookup") {
      lookup_only = true;
    } else if (a == "--ingest") {
      ingest_only = true;
    } else if (a == "--seeks") {
      seeks_only = true;
    } else if (a == "--catch-up") {
      catch_up_only = true;
    } else if (a == "--register") {
      register_only = true;
    } else if (a == "--content") {
      content_only = true;
    } else if (a == "--cli") {
      cli_only = true;
    } else if (a == "--quick") {
      quick = true;
      scale = {100, 200, 10'000, 50, 20'000};
    } else if (a == "--full") {
      scale = {50'000, 200, 1'000'000, 50, 1'000'000};
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--exposures" && i + 1 < argc) {
      scale.exposures = std::max(10, std::atoi(argv[++i]));  // Datasets = 200 x this.
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else {
      std::cerr << "usage: starlog_bench [--quick|--full] [--exposures N] [--dir DIR] [--out FILE] "
                   "[--keep] [--service-lookup] [--ingest] [--seeks] [--catch-up] [--register] "
                   "[--content] [--cli]\n";
      return 2;
    }
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (lookup_only || ingest_only || seeks_only || content_only || cli_only) {
    Report report;
    if (cli_only) BenchCliCommands(dir, STARLOG_CLI_PATH, quick, report);
    if (content_only) BenchContent(dir, scale.exposures * scale.detectors, report);
    if (lookup_only) BenchServiceLookup(dir, quick, report);
    if (ingest_only) BenchIngest(dir, quick, report);
    if (seeks_only) {
      BenchSeeks(dir, quick, report);
      BenchQueryStream(dir, STARLOG_CLI_PATH, quick, keep, report);
    }
    report.Print(std::cout);
    if (!keep) fs::remove_all(dir);
    return 0;
  }
  const uint64_t datasets = static_cast<uint64_t>(scale.exposures) * scale.detectors;
  std::cout << "starlog bench: " << datasets << " datasets, " << scale.history
            << " events of later history, " << scale.lookups << " lookups; in " << dir << "\n";
  Report report;

  // --- registration, against raw RocksDB writing the same keys.
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> raw_handles;
  const double baseline_reg =
      catch_up_only ? 0 : BaselineRegistration(dir + "/raw", scale, &raw, &raw_handles);
  engine::CreateOptions create;
  create.store.sync = false;
  auto store = Must(engine::EventStore::Create(dir + "/repo", create), "create");
  double append_seconds = 0;  // Time spent appending the log, to compare its rebuild with.
  double registration_rate = 0;
  {
    Stopwatch setup;
    Setup(*store, scale);
    append_seconds += setup.Seconds();
    Stopwatch sw;
    for (int b = 0; b < scale.exposures / kExposuresPerBatch; ++b) {
      Must(store->Append(Batch(b, scale.detectors, kExposuresPerBatch), "bench"), "register");
    }
    append_seconds += sw.Seconds();
    registration_rate = datasets / sw.Seconds();
    report.Add({"register datasets, batches of 1,000", registration_rate, "datasets/s",
                baseline_reg, "raw RocksDB", ">= 50% of raw and >= 100,000/s"});
  }
  if (register_only) {
    store.reset();
    for (auto* h : raw_handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
    report.Print(std::cout);
    if (!keep) fs::remove_all(dir);
    return 0;
  }
  // A copy of the repository as registration left it, whose rebuild and
  // replication are counted in datasets and compared with registration.
  store.reset();
  fs::copy(dir + "/repo", dir + "/registered", fs::copy_options::recursive);
  if (catch_up_only) {
    store.reset();
    BenchCatchUpOnly(dir, datasets, registration_rate, report);
    report.Print(std::cout);
    if (!keep) fs::remove_all(dir);
    return 0;
  }
  store = Must(engine::EventStore::Open(dir + "/repo", create.store), "reopen");

  // --- find-first through a chain of 10 RUN collections.
  const double baseline_read =
      BaselineReads(raw, raw_handles[BaselineHandle(engine::Family::kDatasetIds)], scale.lookups);
  std::mt19937 rng(42);
  // Views hold RocksDB iterators: they must be gone before the store closes.
  std::optional<engine::RegistryView> view = Must(store->View(), "view");
  auto find = [&](int64_t exposure, int64_t detector) {
    Must(view->FindDataset("raw", RawId(exposure, detector), {"chain"}), "find");
  };
  auto any = TimeLookups(scale.lookups, [&](int) {
    find(static_cast<int64_t>(rng() % scale.exposures),
         static_cast<int64_t>(rng() % scale.detectors));
  });
  report.Add({"find-first via 10-deep chain, any child", any.per_second, "lookups/s", baseline_read,
              "raw seeks/s", ">= 100,000/s"});
  report.Add({"  p50 latency", any.p50_us, "us", 0, "", ""});
  report.Add({"  p99 latency", any.p99_us, "us", 0, "", ""});
  for (int child : {0, kRuns - 1}) {
    auto r = TimeLookups(scale.lookups / 4, [&](int) {
      // Exposures whose run is "run/<child>".
      const int64_t block =
          static_cast<int64_t>(rng() % (scale.exposures / kExposuresPerBatch / kRuns));
      const int64_t exposure =
          (block * kRuns + child) * kExposuresPerBatch + rng() % kExposuresPerBatch;
      find(exposure, static_cast<int64_t>(rng() % scale.detectors));
    });
    report.Add({"find-first, match in child " + std::to_string(child + 1) + " of 10", r.per_second,
                "lookups/s", 0, "", "no slower for deeper children"});
  }

  // --- calibration lookups: 50 validity epochs per data ID.
  {
    Must(store->Append(codec::CreateCollection{"calib", codec::CollectionType::kCalibration, ""},
                       "b"),
         "calib");
    constexpr int64_t kEpoch = 1'000'000'000'000;
    const int calib_detectors = std::min(scale.detectors, 200);
    Stopwatch calib_appends;
    for (int k = 0; k < scale.epochs; ++k) {
      const std::string run = "calib/run" + std::to_string(k);
      Must(store->Append(codec::CreateCollection{run, codec::CollectionType::kRun, ""}, "b"),
           "run");
      const auto [e, c] = BiasEpoch(run, calib_detectors, k, kEpoch);
      Must(store->Append(e, "b"), "bias");
      Must(store->Append(c, "b"), "certify");
    }
    append_seconds += calib_appends.Seconds();
    view = Must(store->View(), "view");
    auto r = TimeLookups(scale.lookups, [&](int) {
      const int64_t t = static_cast<int64_t>(rng() % (scale.epochs * kEpoch / 1000)) * 1000;
      Must(view->FindDataset("bias",
                             {{"instrument", std::string("HSC")},
                              {"detector", static_cast<int64_t>(rng() % calib_detectors)}},
                             {"calib"}, codec::Timespan{t, t + 1}),
           "calib find");
    });
    report.Add({"calibration lookup at a time, 50 epochs", r.per_second, "lookups/s", baseline_read,
                "raw seeks/s", ">= 100,000/s"});
  }

  // --- as of a point far back: churn the same keys afterwards, then compare.
  const uint64_t point = store->head().sequence;
  {
    Must(store->Append(codec::CreateCollection{"churn", codec::CollectionType::kTagged, ""}, "b"),
         "churn");
    // The datasets that lookups will ask for, tagged and untagged over and over,
    // and the chain redefined: every key the lookups read gets a long history.
    std::vector<codec::Uuid> targets;
    std::vector<std::pair<int64_t, int64_t>> target_ids;
    for (int i = 0; i < 1000; ++i) {
      const int64_t x = static_cast<int64_t>(rng() % scale.exposures);
      const int64_t d = static_cast<int64_t>(rng() % scale.detectors);
      targets.push_back(view->FindDataset("raw", RawId(x, d), {"chain"})->id);
      target_ids.emplace_back(x, d);
    }
    std::vector<std::string> runs, reversed;
    for (int r = 0; r < kRuns; ++r) runs.push_back("run/" + std::to_string(r));
    reversed.assign(runs.rbegin(), runs.rend());
    Stopwatch sw;
    for (uint64_t i = 0; i < scale.history; ++i) {
      const codec::Uuid& id = targets[(i / 2) % targets.size()];
      if (i % 100 == 99) {
        Must(store->Append(codec::SetChain{"chain", (i / 100) % 2 ? reversed : runs}, "b"),
             "chain");
      } else if (i % 2 == 0) {
        Must(store->Append(codec::Tag{"churn", {id}}, "b"), "tag");
      } else {
        Must(store->Append(codec::Untag{"churn", {id}}, "b"), "untag");
      }
    }
    append_seconds += sw.Seconds();
    report.Add({"small events appended (tag, untag, set-chain)", scale.history / sw.Seconds(),
                "events/s", 0, "", ""});
    Must(store->Append(codec::SetChain{"chain", runs}, "b"), "chain");
    auto now = Must(store->View(), "view");
    auto then = Must(store->View(point), "view");
    auto lookup_in = [&](engine::RegistryView& v) {
      return TimeLookups(scale.lookups, [&](int i) {
        const auto& [x, d] = target_ids[static_cast<size_t>(i) % target_ids.size()];
        Must(v.FindDataset("raw", RawId(x, d), {"chain"}), "find");
      });
    };
    const auto present = lookup_in(now);
    const auto past = lookup_in(then);
    report.Add(
        {"find-first now, keys with long histories", present.per_second, "lookups/s", 0, "", ""});
    report.Add(
        {"find-first as of " + std::to_string(store->head().sequence - point) + " events back",
         past.per_second, "lookups/s", present.per_second, "now", "within 1.5x of the present"});
  }

  // --- rebuild from the log, and open.
  const uint64_t events = store->head().sequence;
  view.reset();
  store.reset();
  engine::StoreOptions unsynced;
  unsynced.sync = false;
  double rebuild_registered = 0;
  {
    Stopwatch sw;
    Check(engine::EventStore::Rebuild(dir + "/registered", unsynced), "rebuild");
    rebuild_registered = datasets / sw.Seconds();
    report.Add({"rebuild, registrations only (" + std::to_string(datasets) + " datasets)",
                rebuild_registered, "datasets/s", registration_rate, "registration", "ratio >= 1"});
  }
  double rebuild_rate = 0;
  {
    Stopwatch sw;
    Check(engine::EventStore::Rebuild(dir + "/repo", unsynced), "rebuild");
    rebuild_rate = events / sw.Seconds();
    report.Add({"rebuild, the whole log (" + std::to_string(events) + " events)", rebuild_rate,
                "events/s", events / append_seconds, "appending it", "ratio >= 1"});
  }
  {
    Stopwatch sw;
    auto reopened = Must(engine::EventStore::Open(dir + "/repo", engine::StoreOptions()), "open");
    report.Add({"open a repository of " + std::to_string(datasets) + " datasets",
                sw.Seconds() * 1000, "ms", 0, "", "< 1 s at 10,000,000 datasets"});
  }
  for (auto* h : raw_handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
  const uint64_t registered_events = [&] {
    engine::StoreOptions read_only;
    read_only.read_only = true;
    return Must(engine::EventStore::Open(dir + "/registered", read_only), "open")->head().sequence;
  }();
  BenchReplication({{dir + "/registered", "registrations only",
                     rebuild_registered * static_cast<double>(registered_events) / datasets,
                     datasets, registration_rate},
                    {dir + "/repo", "the whole log", rebuild_rate, 0, 0}},
                   dir, report);

  BenchSeeks(dir, quick, report);
  BenchQueryStream(dir, STARLOG_CLI_PATH, quick, keep, report);
  BenchGroupCommit(dir, quick, report);
  BenchCliProcesses(dir, STARLOG_CLI_PATH, quick, report);
  BenchCliCommands(dir, STARLOG_CLI_PATH, quick, report);
  BenchServiceLookup(dir, quick, report);
  BenchIngest(dir, quick, report);

  report.Print(std::cout);
  report.WriteJson(out);
  std::cout << "figures written to " << out << "\n";
  if (!keep) fs::remove_all(dir);
  return 0;
}
