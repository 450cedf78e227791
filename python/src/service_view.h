#pragma once

// Views of a connected Repository (Repository.connect): read through its
// service.

#include <memory>
#include <string>

#include "python/src/service_connection.h"
#include "python/src/view.h"

namespace starlog::python {

// The registry as of "as_of" (as `--as-of` takes it; empty: the head),
// resolved by the service now; every call of the view reads there.
Result<std::shared_ptr<ViewSource>> ServiceView(std::shared_ptr<ServiceConnection> service,
                                                const std::string& as_of);

}  // namespace starlog::python
