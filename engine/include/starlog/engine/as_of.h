#pragma once

// Points in a repository's history, as users name them: a sequence number
// ("1042"), a UTC time ("2024-03-01T12:00:00Z": the last event committed at or
// before it) or a snapshot name.

#include <string_view>

#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::engine {

// Resolves "point" to a sequence. InvalidArgument for a sequence past the
// head; NotFound for a name that is no snapshot (and no time, nor number).
Result<uint64_t> ResolveAsOf(const EventStore& store, std::string_view point);

}  // namespace starlog::engine
