#pragma once

// The engine's owned file descriptor, by the name the service has used.

#include "starlog/engine/unique_fd.h"

namespace starlog::service {

using engine::UniqueFd;

}  // namespace starlog::service
