#pragma once

// A check of the invariants across index families that memberships.h keeps:
// a delete missed on one apply path would be replayed identically by a
// rebuild, so only a walk of the families themselves catches it. It reads
// every entry of seven families: for tests and repair tools, not for
// appends.
//
//   datasets       <-> dataset_ids, and each has its dataset_lookup entry
//   tags           <-> dataset_tags "t", and each has its dataset_lookup entry
//   dataset_lookup  -> a datasets or tags entry of the same dataset
//   calibrations   <-> dataset_tags "c" (at least one entry per membership)
//   tags, calibrations -> an existing dataset of that type and data ID, in a
//                         collection of the right type

#include "engine/store/versioned_index.h"
#include "starlog/status.h"

namespace starlog::engine {

// Returns Corruption naming the first entry that breaks an invariant, as of
// the reader's sequence.
Status CheckMemberships(const IndexReader& reader);

}  // namespace starlog::engine
