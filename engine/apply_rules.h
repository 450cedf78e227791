#pragma once

// One function per event type: validates the event against the state seen
// through "batch" and records its index changes. Grouped by concept in
// apply_*.cc files; dispatched from state_machine.cc.

#include "engine/versioned_index.h"
#include "starlog/codec/event.h"

namespace starlog::engine {

Status ApplyInitRepository(const codec::InitRepository& e, IndexBatch* batch);
Status ApplyCreateCollection(const codec::CreateCollection& e, IndexBatch* batch);
Status ApplyRemoveCollection(const codec::RemoveCollection& e, IndexBatch* batch);

}  // namespace starlog::engine
