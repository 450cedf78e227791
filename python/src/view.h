#pragma once

// The Python View: the registry as of one event (engine::RegistryView),
// with the store it reads kept alive beside it.

#include <memory>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"

namespace starlog::python {

struct View {
  std::shared_ptr<engine::EventStore> store;  // A view must not outlive its store.
  engine::RegistryView view;
};

}  // namespace starlog::python
