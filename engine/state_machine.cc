#include "engine/state_machine.h"

#include <type_traits>

#include "engine/apply_rules.h"

namespace starlog::engine {

Status ApplyEvent(const codec::Event& event, IndexBatch* batch) {
  return std::visit(
      [&](const auto& body) -> Status {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, codec::InitRepository>) {
          return ApplyInitRepository(body, batch);
        } else if constexpr (std::is_same_v<T, codec::CreateCollection>) {
          return ApplyCreateCollection(body, batch);
        } else if constexpr (std::is_same_v<T, codec::RemoveCollection>) {
          return ApplyRemoveCollection(body, batch);
        } else {
          return Status::NotSupported(std::string("event type ") +
                                      std::string(codec::EventTypeName(event.type())) +
                                      " is not supported by this version of starlog yet");
        }
      },
      event.body);
}

}  // namespace starlog::engine
