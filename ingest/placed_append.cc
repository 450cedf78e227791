#include "ingest/placed_append.h"

namespace starlog::ingest::internal {

Result<AppendedRange> AppendPlaced(engine::EventStore& store, std::vector<codec::EventBody> bodies,
                                   const engine::Actor& actor, const std::vector<Placed>& placed) {
  const uint64_t before = store.head().sequence;
  auto head = store.AppendAll(std::move(bodies), actor);
  if (!head.ok()) {
    UndoPlaced(placed);
    return head.status().WithContext("nothing was imported");
  }
  for (const Placed& p : placed) CommitPlace(p);
  AppendedRange range;
  if (head->sequence > before) range = {before + 1, head->sequence};
  return range;
}

}  // namespace starlog::ingest::internal
