#include "engine/model/state_machine.h"

#include <type_traits>

#include "engine/model/apply_rules.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

Status ApplyEvent(const codec::Event& event, const Universe& universe, IndexBatch* batch) {
  ApplyContext ctx{universe, *batch};
  STARLOG_RETURN_IF_ERROR(ValidateText("actor", event.actor, kMaxShortTextLength));
  if (!event.via.empty()) {
    STARLOG_RETURN_IF_ERROR(ValidateText("via", event.via, kMaxShortTextLength));
  }
  STARLOG_RETURN_IF_ERROR(CheckAccess(event, ctx));
  return std::visit(
      [&](const auto& body) -> Status {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, codec::InitRepository>) {
          return ApplyInitRepository(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::CreateCollection>) {
          return ApplyCreateCollection(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::RemoveCollection>) {
          return ApplyRemoveCollection(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::SetChain>) {
          return ApplySetChain(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::RegisterDatasetType>) {
          return ApplyRegisterDatasetType(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::RemoveDatasetType>) {
          return ApplyRemoveDatasetType(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::InsertDimensionRecords>) {
          return ApplyInsertDimensionRecords(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::RegisterDatasets>) {
          return ApplyRegisterDatasets(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::RemoveDatasets>) {
          return ApplyRemoveDatasets(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::AttachArtifacts>) {
          return ApplyAttachArtifacts(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::DetachArtifacts>) {
          return ApplyDetachArtifacts(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::Tag>) {
          return ApplyTag(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::Untag>) {
          return ApplyUntag(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::Certify>) {
          return ApplyCertify(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::Decertify>) {
          return ApplyDecertify(body, ctx);
        } else if constexpr (std::is_same_v<T, codec::CreateSnapshot>) {
          return ApplyCreateSnapshot(body, ctx);
        } else {
          static_assert(std::is_same_v<T, codec::SetPolicy>, "every event type needs a rule");
          return ApplySetPolicy(body, ctx);
        }
      },
      event.body);
}

}  // namespace starlog::engine
