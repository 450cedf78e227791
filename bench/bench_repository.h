#pragma once

// The parts of the benchmark's repositories that several figures build alike.

#include <string>
#include <utility>

#include "starlog/codec/event.h"
#include "starlog/engine/event_store.h"

namespace starlog::bench {

// Instrument HSC (detector_max 4095) and its detectors 0 .. detectors-1.
void AddHscDimensions(engine::EventStore& store, int detectors);

// Epoch "k" of a bias per detector: the biases registered in "run", and
// their certification for [k, k + 1) x epoch_ns in collection "calib".
std::pair<codec::RegisterDatasets, codec::Certify> BiasEpoch(const std::string& run, int detectors,
                                                             int64_t k, int64_t epoch_ns);

}  // namespace starlog::bench
