#pragma once

// One function per event type: validates the event against the state seen
// through the context's batch and records its index changes there. Grouped by
// concept in apply_*.cc files; dispatched from state_machine.cc.

#include "engine/store/versioned_index.h"
#include "starlog/codec/event.h"
#include "starlog/engine/universe.h"

namespace starlog::engine {

struct ApplyContext {
  const Universe& universe;
  IndexBatch& batch;
};

Status ApplyInitRepository(const codec::InitRepository& e, ApplyContext& ctx);
Status ApplyCreateSnapshot(const codec::CreateSnapshot& e, ApplyContext& ctx);

// The access policy (policy.h): setting it, and checking an event's actor
// against it before the event applies.
Status ApplySetPolicy(const codec::SetPolicy& e, ApplyContext& ctx);
Status CheckAccess(const codec::Event& event, ApplyContext& ctx);
// The policy in force, if one was ever set.
Result<std::optional<codec::SetPolicy>> CurrentPolicy(const IndexBatch& batch);

Status ApplyCreateCollection(const codec::CreateCollection& e, ApplyContext& ctx);
Status ApplyRemoveCollection(const codec::RemoveCollection& e, ApplyContext& ctx);
Status ApplySetChain(const codec::SetChain& e, ApplyContext& ctx);

Status ApplyRegisterDatasetType(const codec::RegisterDatasetType& e, ApplyContext& ctx);
Status ApplyRemoveDatasetType(const codec::RemoveDatasetType& e, ApplyContext& ctx);

Status ApplyInsertDimensionRecords(const codec::InsertDimensionRecords& e, ApplyContext& ctx);

Status ApplyRegisterDatasets(const codec::RegisterDatasets& e, ApplyContext& ctx);
Status ApplyRemoveDatasets(const codec::RemoveDatasets& e, ApplyContext& ctx);
Status ApplyAttachArtifacts(const codec::AttachArtifacts& e, ApplyContext& ctx);
Status ApplyDetachArtifacts(const codec::DetachArtifacts& e, ApplyContext& ctx);

Status ApplyTag(const codec::Tag& e, ApplyContext& ctx);
Status ApplyUntag(const codec::Untag& e, ApplyContext& ctx);

Status ApplyCertify(const codec::Certify& e, ApplyContext& ctx);
Status ApplyDecertify(const codec::Decertify& e, ApplyContext& ctx);

}  // namespace starlog::engine
