#include "starlog/engine/as_of.h"

#include "starlog/codec/numbers.h"
#include "starlog/codec/time_format.h"

namespace starlog::engine {

Result<uint64_t> ResolveAsOf(const EventStore& store, std::string_view point) {
  const uint64_t head = store.head().sequence;
  // Up to 19 digits is a sequence; anything longer is looked up as a time or snapshot.
  if (const std::optional<uint64_t> parsed = codec::ParseUint(point);
      parsed && point.size() <= 19) {
    const uint64_t sequence = *parsed;
    if (sequence == 0 || sequence > head) {
      return Status::InvalidArgument("as-of sequence " + std::string(point) +
                                     " is outside the log (1 to " + std::to_string(head) + ")");
    }
    return sequence;
  }
  if (auto time = codec::ParseIsoTime(point); time.ok()) {
    STARLOG_ASSIGN_OR_RETURN(uint64_t sequence, store.SequenceAtTime(*time));
    if (sequence == 0) {
      return Status::NotFound("no event was committed at or before " + std::string(point));
    }
    return sequence;
  }
  STARLOG_ASSIGN_OR_RETURN(RegistryView view, store.View());
  STARLOG_ASSIGN_OR_RETURN(auto snapshot, view.SnapshotSequence(std::string(point)));
  if (!snapshot) {
    return Status::NotFound("'" + std::string(point) +
                            "' is no sequence number, no time (YYYY-MM-DDTHH:MM:SS) and no "
                            "snapshot name");
  }
  return *snapshot;
}

}  // namespace starlog::engine
