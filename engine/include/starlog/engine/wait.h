#pragma once

// Blocking retrieval for prompt processing (seeds/001: a get() that blocks
// until the image arrives, with a configurable timeout): waits until a
// dataset is findable, woken by new events in the log rather than by
// re-running the lookup in a loop.

#include <chrono>
#include <functional>
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

// As above, and ends early with the status "check" returns if that is not
// OK: "check" is called (on this thread) each time "check_every" passes with
// no new event, so that a caller can end a wait for a reason of its own (its
// client hung up, it is stopping). The lookup itself still runs only when
// the log moves.
Result<DatasetRef> WaitForDataset(EventStore& store, const std::string& dataset_type,
                                  const codec::FieldMap& data_id,
                                  const std::vector<std::string>& collections,
                                  std::optional<codec::Timespan> validity,
                                  std::chrono::milliseconds timeout,
                                  const std::function<Status()>& check,
                                  std::chrono::milliseconds check_every);

}  // namespace starlog::engine
