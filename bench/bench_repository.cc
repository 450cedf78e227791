#include "bench/bench_repository.h"

#include "bench/bench_util.h"
#include "starlog/engine/dataset_ids.h"

namespace starlog::bench {

void AddHscDimensions(engine::EventStore& store, int detectors) {
  Must(store.Append(codec::InsertDimensionRecords{"instrument",
                                                  {{{"instrument", std::string("HSC")},
                                                    {"detector_max", int64_t{4095}}}},
                                                  false},
                    "b"),
       "instrument");
  codec::InsertDimensionRecords records{"detector", {}, false};
  for (int64_t d = 0; d < detectors; ++d) {
    records.records.push_back({{"instrument", std::string("HSC")}, {"detector", d}});
  }
  Must(store.Append(records, "b"), "detectors");
}

std::pair<codec::RegisterDatasets, codec::Certify> BiasEpoch(const std::string& run, int detectors,
                                                             int64_t k, int64_t epoch_ns) {
  codec::RegisterDatasets e{run, "bias", {}};
  codec::Certify c{"calib", "bias", {}};
  for (int64_t d = 0; d < detectors; ++d) {
    const auto id = engine::RandomDatasetId();
    e.datasets.push_back({id, {{"instrument", std::string("HSC")}, {"detector", d}}, std::nullopt});
    c.entries.push_back({id, {k * epoch_ns, (k + 1) * epoch_ns}});
  }
  return {std::move(e), std::move(c)};
}

}  // namespace starlog::bench
