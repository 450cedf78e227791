#include "starlog/engine/wait.h"

#include <algorithm>

namespace starlog::engine {

Result<DatasetRef> WaitForDataset(EventStore& store, const std::string& dataset_type,
                                  const codec::FieldMap& data_id,
                                  const std::vector<std::string>& collections,
                                  std::optional<codec::Timespan> validity,
                                  std::chrono::milliseconds timeout) {
  return WaitForDataset(store, dataset_type, data_id, collections, validity, timeout, nullptr,
                        timeout);
}

Result<DatasetRef> WaitForDataset(EventStore& store, const std::string& dataset_type,
                                  const codec::FieldMap& data_id,
                                  const std::vector<std::string>& collections,
                                  std::optional<codec::Timespan> validity,
                                  std::chrono::milliseconds timeout,
                                  const std::function<Status()>& check,
                                  std::chrono::milliseconds check_every) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(RegistryView view, store.View());
    auto found = view.FindDataset(dataset_type, data_id, collections, validity);
    if (found.ok() || !found.status().IsNotFound()) return found;
    // Nothing yet: sleep until the log moves past what this view saw, asking
    // "check" between naps.
    Status moved;
    while (true) {
      const auto nap = check ? std::min(deadline, Clock::now() + check_every) : deadline;
      moved = store.WaitForChange(view.sequence(), nap);
      if (!moved.IsTimedOut() || nap == deadline) break;
      STARLOG_RETURN_IF_ERROR(check());
    }
    if (moved.IsTimedOut()) {
      return Status::TimedOut("waited " + std::to_string(timeout.count()) +
                              " ms: " + std::string(found.status().message()));
    }
    STARLOG_RETURN_IF_ERROR(moved);
  }
}

}  // namespace starlog::engine
