#include "bench/stream_bench.h"

#include <rocksdb/db.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "bench/bench_repository.h"
#include "engine/model/registry_keys.h"
#include "engine/store/column_families.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"

namespace starlog::bench {

namespace {

namespace fs = std::filesystem;

constexpr int kDetectors = 200;

void Populate(engine::EventStore& store, int exposures) {
  AddHscDimensions(store, kDetectors);
  codec::InsertDimensionRecords records{"exposure", {}, false};
  for (int64_t x = 0; x < exposures; ++x) {
    records.records.push_back({{"instrument", std::string("HSC")}, {"exposure", x}});
  }
  Must(store.Append(records, "b"), "exposures");
  Must(store.Append(
           codec::RegisterDatasetType{
               "raw", {"instrument", "exposure", "detector"}, "Exposure", false},
           "b"),
       "type");
  Must(store.Append(codec::CreateCollection{"run", codec::CollectionType::kRun, ""}, "b"), "run");
  for (int64_t x = 0; x < exposures; x += 5) {
    codec::RegisterDatasets e{"run", "raw", {}};
    for (int64_t y = x; y < x + 5 && y < exposures; ++y) {
      for (int64_t d = 0; d < kDetectors; ++d) {
        e.datasets.push_back(
            {engine::RandomDatasetId(),
             {{"instrument", std::string("HSC")}, {"exposure", y}, {"detector", d}},
             std::nullopt});
      }
    }
    Must(store.Append(e, "b"), "register");
  }
}

// Every entry of the run's datasets, read with a plain RocksDB iterator:
// what listing them costs at the least. Returns entries per second.
double RawIteration(const std::string& repo, size_t* entries) {
  const std::string path = repo + "/.starlog/registry";
  std::vector<std::string> names;
  Check(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()
            ? Status::OK()
            : Status::IOError("list families"),
        "raw open");
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, cfs, &handles, &raw).ok()
            ? Status::OK()
            : Status::IOError("open"),
        "raw open");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* datasets = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == engine::FamilyName(engine::Family::kDatasets)) datasets = handles[i];
  }
  const std::string prefix = engine::keys::DatasetPrefix("run", "raw");
  Stopwatch sw;
  size_t n = 0;
  volatile size_t bytes = 0;  // Touch what a listing reads, so it is read.
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), datasets));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      bytes = bytes + it->key().size() + it->value().size();
      ++n;
    }
  }
  const double rate = static_cast<double>(n) / sw.Seconds();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  *entries = n;
  return rate;
}

// Runs "command" reading its output as a pipe would: the seconds to its
// first byte and to its end.
void TimePipe(const std::string& command, double* first_byte, double* seconds) {
  Stopwatch sw;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) Check(Status::IOError("popen"), command.c_str());
  char buffer[1 << 16];
  *first_byte = -1;
  while (fread(buffer, 1, sizeof buffer, pipe) > 0) {
    if (*first_byte < 0) *first_byte = sw.Seconds();
  }
  *seconds = sw.Seconds();
  if (pclose(pipe) != 0) Check(Status::IOError("the command failed"), command.c_str());
}

}  // namespace

void BenchQueryStream(const std::string& scratch, const std::string& cli, bool quick, bool keep,
                      Report& report) {
  const std::string repo = scratch + "/stream";
  fs::remove_all(repo);
  const int exposures = quick ? 50 : 500;  // x 200 detectors.
  {
    engine::CreateOptions create;
    create.store.sync = false;
    auto store = Must(engine::EventStore::Create(repo, create), "create");
    Populate(*store, exposures);
    auto view = Must(store->View(), "view");
    engine::DatasetQuery all{"raw", {"run"}, {}, true, std::nullopt};
    engine::DatasetQuery one = all;
    one.where = Must(engine::WhereClause::Parse("exposure = 7"), "where");
    size_t rows = 0;
    Stopwatch whole;
    Check(view.ForEachDataset(all, [&](engine::DatasetRef&&) { return ++rows > 0; }), "query");
    const double whole_ms = whole.Seconds() * 1000;
    size_t narrowed_rows = 0;
    Stopwatch narrowed;
    Check(view.ForEachDataset(one, [&](engine::DatasetRef&&) { return ++narrowed_rows > 0; }),
          "query");
    report.Add({"query-datasets --where \"exposure = 7\" (" + std::to_string(narrowed_rows) +
                    " of " + std::to_string(rows) + " rows)",
                narrowed.Seconds() * 1000, "ms", whole_ms, "the whole query",
                "a seek per detector, not a scan"});
  }
  size_t entries = 0;
  const double raw_rate = RawIteration(repo, &entries);
  const std::string command =
      cli + " query-datasets " + repo + " raw --collections run --json --limit 0 2>/dev/null";
  double first_byte = 0, seconds = 0;
  TimePipe(command, &first_byte, &seconds);
  const double datasets_rate = static_cast<double>(entries) / seconds;
  report.Add({"query-datasets --json of " + std::to_string(entries) + " rows (a process)",
              datasets_rate, "rows/s", raw_rate, "raw RocksDB iteration", ">= 500,000 rows/s"});
  report.Add(
      {"  its first row", first_byte * 1000, "ms", seconds * 1000, "its last row", "<= 50 ms"});
  // The same data IDs joined from the records (exposure x detector), each
  // row written as the join makes it.
  TimePipe(cli + " query-data-ids " + repo + " exposure detector --json --limit 0 2>/dev/null",
           &first_byte, &seconds);
  report.Add({"query-data-ids exposure detector --json of " + std::to_string(entries) +
                  " rows (a process)",
              static_cast<double>(entries) / seconds, "rows/s", datasets_rate,
              "query-datasets of the same data IDs", ""});
  report.Add(
      {"  its first row", first_byte * 1000, "ms", seconds * 1000, "its last row", "<= 50 ms"});
  if (!keep) fs::remove_all(repo);
}

}  // namespace starlog::bench
