#pragma once

#include <vector>

#include "starlog/codec/event.h"

namespace starlog::testutil {

// One event of every type, each with realistic, non-default field values, so
// a codec that drops or mixes up a field fails a round trip.
std::vector<codec::Event> SampleEvents();

// A UUID whose bytes are all "b".
codec::Uuid UuidOf(uint8_t b);

}  // namespace starlog::testutil
