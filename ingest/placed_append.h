#pragma once

// The last step of an import whose files are already in place: one atomic
// append of its events, then the placements kept, or undone if the append is
// refused, so a refused import leaves neither events nor files behind.

#include <vector>

#include "starlog/engine/actor.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/transfer.h"

namespace starlog::ingest::internal {

struct AppendedRange {
  uint64_t first = 0;  // 0 if the append changed nothing.
  uint64_t last = 0;
};

// Appends "bodies" (EventStore::AppendAll) and then commits (CommitPlace)
// or undoes (UndoPlace) each of "placed". The error says nothing was
// imported.
Result<AppendedRange> AppendPlaced(engine::EventStore& store, std::vector<codec::EventBody> bodies,
                                   const engine::Actor& actor, const std::vector<Placed>& placed);

}  // namespace starlog::ingest::internal
