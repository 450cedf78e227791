#pragma once

// Blocking retrieval for prompt processing (seeds/001: a get() that blocks
// until the image arrives, with a configurable timeout): waits until a
// dataset is findable, woken by new events in the log rather than by
// re-running the lookup in a loop.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"

namespace starlog::engine {

// Returns the dataset FindDataset would return, as soon as it can. Returns
// TimedOut (naming what was awaited and where) when "timeout" passes first,
// and any error other than NotFound at once. "store" must be able to see new
// events: the writer itself, or a store opened with StoreOptions::follow.
Result<DatasetRef> WaitForDataset(EventStore& store, const std::string& dataset_type,
                                  const codec::FieldMap& data_id,
                                  const std::vector<std::string>& collections,
                                  std::optional<codec::Timespan> validity,
                                  std::chrono::milliseconds timeout);

}  // namespace starlog::engine
