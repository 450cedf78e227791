// The access policy as a transition rule: every event's actor is checked
// against the policy in force before the event applies. Because the policy
// and the actor are both in the log, a replica and a rebuild reach the same
// verdicts as the primary did.

#include <set>

#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "starlog/engine/policy.h"

namespace starlog::engine {

namespace {

template <typename T>
[[maybe_unused]] inline constexpr bool kNoAccessRule = false;

Status Admins(const codec::SetPolicy& policy, const std::string& actor, const std::string& what) {
  if (HasRole(policy, actor, kAdminRole)) return Status::OK();
  return Status::PermissionDenied("user '" + actor + "' may not " + what + ": only admins may");
}

// The RUNs of datasets "ids" (those that exist; others fail later, as before).
Result<std::set<std::string>> RunsOf(const IndexBatch& batch, const std::vector<codec::Uuid>& ids) {
  std::set<std::string> runs;
  for (const codec::Uuid& id : ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(batch, id));
    if (record) runs.insert(record->run);
  }
  return runs;
}

// An event "via" someone for its actor: see policy.h.
Status CheckActingFor(const codec::SetPolicy& policy, const codec::Event& event) {
  if (event.via.empty() || event.via == event.actor) return Status::OK();
  if (!HasRole(policy, event.via, kActForRole)) {
    return Status::PermissionDenied("user '" + event.via + "' may not act for '" + event.actor +
                                    "': the policy does not give them the role " + kActForRole);
  }
  if (HasRole(policy, event.actor, kAdminRole) && !HasRole(policy, event.via, kAdminRole)) {
    return Status::PermissionDenied("user '" + event.via + "' may not act for '" + event.actor +
                                    "', an admin, without being one");
  }
  return Status::OK();
}

Status CheckAll(const codec::SetPolicy& policy, const std::string& actor,
                const std::set<std::string>& collections) {
  for (const std::string& c : collections) {
    STARLOG_RETURN_IF_ERROR(CheckCollectionWrite(policy, actor, c));
  }
  return Status::OK();
}

}  // namespace

Result<std::optional<codec::SetPolicy>> CurrentPolicy(const IndexBatch& batch) {
  STARLOG_ASSIGN_OR_RETURN(auto text, batch.Get(Family::kPolicy, keys::kPolicy));
  if (!text) return std::optional<codec::SetPolicy>();
  auto policy = ParsePolicy(*text);
  if (!policy.ok()) return Status::Corruption("the stored access policy does not parse");
  return std::optional<codec::SetPolicy>(std::move(*policy));
}

Status ApplySetPolicy(const codec::SetPolicy& e, ApplyContext& ctx) {
  // Who may set it is CheckAccess's business: anyone the first time, admins after.
  STARLOG_RETURN_IF_ERROR(ValidatePolicy(e));
  // The policy is stored in its text form: canonical, and readable.
  const std::string text = FormatPolicy(e);
  STARLOG_ASSIGN_OR_RETURN(auto old, ctx.batch.Get(Family::kPolicy, keys::kPolicy));
  if (old && *old == text) return Status::OK();  // Unchanged: no event.
  return ctx.batch.Put(Family::kPolicy, keys::kPolicy, text);
}

Status CheckAccess(const codec::Event& event, ApplyContext& ctx) {
  STARLOG_ASSIGN_OR_RETURN(auto policy, CurrentPolicy(ctx.batch));
  if (!policy) return Status::OK();
  const codec::SetPolicy& p = *policy;
  const std::string& actor = event.actor;
  STARLOG_RETURN_IF_ERROR(CheckActingFor(p, event));
  return std::visit(
      [&](const auto& body) -> Status {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, codec::CreateCollection> ||
                      std::is_same_v<T, codec::RemoveCollection>) {
          return CheckCollectionWrite(p, actor, body.name);
        } else if constexpr (std::is_same_v<T, codec::SetChain>) {
          STARLOG_RETURN_IF_ERROR(CheckCollectionWrite(p, actor, body.name));
          if (!IsPersonal(body.name)) {
            for (const std::string& child : body.children) {
              if (IsPersonal(child)) {
                return Status::PermissionDenied(
                    "shared chain " + body.name + " may not reference personal collection " +
                    child + " (DMTN-167: shared collections never point into u/)");
              }
            }
          }
          return Status::OK();
        } else if constexpr (std::is_same_v<T, codec::RegisterDatasets>) {
          return CheckCollectionWrite(p, actor, body.run);
        } else if constexpr (std::is_same_v<T, codec::RemoveDatasets> ||
                             std::is_same_v<T, codec::DetachArtifacts>) {
          STARLOG_ASSIGN_OR_RETURN(auto runs, RunsOf(ctx.batch, body.ids));
          return CheckAll(p, actor, runs);
        } else if constexpr (std::is_same_v<T, codec::AttachArtifacts>) {
          std::vector<codec::Uuid> ids;
          for (const auto& a : body.artifacts) ids.push_back(a.id);
          STARLOG_ASSIGN_OR_RETURN(auto runs, RunsOf(ctx.batch, ids));
          return CheckAll(p, actor, runs);
        } else if constexpr (std::is_same_v<T, codec::Tag> || std::is_same_v<T, codec::Untag> ||
                             std::is_same_v<T, codec::Certify> ||
                             std::is_same_v<T, codec::Decertify>) {
          return CheckCollectionWrite(p, actor, body.collection);
        } else if constexpr (std::is_same_v<T, codec::RemoveDatasetType>) {
          return Admins(p, actor, "remove dataset type " + body.name);
        } else if constexpr (std::is_same_v<T, codec::InsertDimensionRecords>) {
          return body.replace ? Admins(p, actor, "replace " + body.element + " records")
                              : Status::OK();
        } else if constexpr (std::is_same_v<T, codec::SetPolicy>) {
          return Admins(p, actor, "change the access policy");
        } else if constexpr (std::is_same_v<T, codec::InitRepository> ||
                             std::is_same_v<T, codec::RegisterDatasetType> ||
                             std::is_same_v<T, codec::CreateSnapshot>) {
          return Status::OK();  // Open to all.
        } else {
          // A new event type must say who may append it: it does not
          // compile until it has a branch above.
          static_assert(kNoAccessRule<T>, "every event type needs an access rule");
          return Status::OK();
        }
      },
      event.body);
}

}  // namespace starlog::engine
