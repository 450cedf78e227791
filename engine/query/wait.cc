#include "starlog/engine/wait.h"

namespace starlog::engine {

Result<DatasetRef> WaitForDataset(EventStore& store, const std::string& dataset_type,
                                  const codec::FieldMap& data_id,
                                  const std::vector<std::string>& collections,
                                  std::optional<codec::Timespan> validity,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(RegistryView view, store.View());
    auto found = view.FindDataset(dataset_type, data_id, collections, validity);
    if (found.ok() || !found.status().IsNotFound()) return found;
    // Nothing yet: sleep until the log moves past what this view saw.
    Status moved = store.WaitForChange(view.sequence(), deadline);
    if (moved.IsTimedOut()) {
      return Status::TimedOut("waited " + std::to_string(timeout.count()) +
                              " ms: " + std::string(found.status().message()));
    }
    STARLOG_RETURN_IF_ERROR(moved);
  }
}

}  // namespace starlog::engine
