#pragma once

// The registry's transition rules. ApplyEvent checks that "event" is a legal
// transition from the state seen through "batch" and records every index
// change it makes there. It is the one apply path: appends on a primary, on a
// replica and during rebuild all go through it, so the same log always gives
// the same indexes.
//
// Returns OK with no change recorded in "batch" when the event would change
// nothing (registering an identical dataset type, say); the store then does
// not append it.

#include "engine/store/versioned_index.h"
#include "starlog/codec/event.h"
#include "starlog/engine/universe.h"
#include "starlog/status.h"

namespace starlog::engine {

// "universe" is the repository's (for event 1, the one it declares).
Status ApplyEvent(const codec::Event& event, const Universe& universe, IndexBatch* batch);

}  // namespace starlog::engine
