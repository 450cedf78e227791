#include "starlog/engine/edits.h"

#include <algorithm>
#include <map>
#include <set>

#include "starlog/codec/text.h"
#include "starlog/engine/glob.h"

namespace starlog::engine {

using codec::Quoted;

namespace {

using Bodies = std::vector<codec::EventBody>;

// Each plan runs under the writer's lock with the registry at the head; the
// head it read is noted so that the edit can say which events are its own,
// however many other writers append around it.
Result<Bodies> PlanEnsureCollection(const RegistryView& view, const EnsureCollectionEdit& e) {
  std::string text = e.doc.value_or("");
  if (!e.doc) {
    STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetCollection(e.name));
    if (existing) text = existing->doc;
  }
  return Bodies{codec::CreateCollection{e.name, e.type, std::move(text)}};
}

Result<Bodies> PlanRemoveRuns(const RegistryView& view, const RemoveRunsEdit& e,
                              EditResult* result) {
  // A name (not a pattern) of another kind of collection is named as such,
  // not passed over.
  for (const std::string& p : e.patterns) {
    if (HasGlobCharacters(p)) continue;
    STARLOG_ASSIGN_OR_RETURN(auto c, view.GetCollection(p));
    if (!c) return Status::NotFound("no collection " + Quoted(p));
    if (c->type != codec::CollectionType::kRun) {
      return Status::InvalidArgument(Quoted(p) + " is a " +
                                     std::string(codec::CollectionTypeName(c->type)) +
                                     " collection, not a RUN; remove it with remove-collection");
    }
  }
  STARLOG_ASSIGN_OR_RETURN(auto runs,
                           view.QueryCollections(e.patterns, {codec::CollectionType::kRun}));
  if (runs.empty()) return Status::NotFound("no RUN collection matches");
  Bodies events;
  result->names.clear();
  for (const auto& run : runs) {
    result->names.push_back(run.name);
    events.emplace_back(codec::RemoveCollection{run.name, /*with_datasets=*/true});
  }
  return events;
}

Result<Bodies> PlanRemoveCollections(const RegistryView& view, const RemoveCollectionsEdit& e,
                                     EditResult* result) {
  std::set<std::string> doomed;
  for (const std::string& p : e.patterns) {
    if (HasGlobCharacters(p)) continue;
    STARLOG_ASSIGN_OR_RETURN(auto c, view.GetCollection(p));
    if (!c) return Status::NotFound("no collection " + Quoted(p));
    if (c->type == codec::CollectionType::kRun) {
      return Status::InvalidArgument(Quoted(p) +
                                     " is a RUN collection; remove it with remove-runs");
    }
  }
  STARLOG_ASSIGN_OR_RETURN(
      auto matched, view.QueryCollections(e.patterns, {codec::CollectionType::kTagged,
                                                       codec::CollectionType::kChained,
                                                       codec::CollectionType::kCalibration}));
  if (matched.empty())
    return Status::NotFound("no TAGGED, CHAINED or CALIBRATION collection matches");
  for (const auto& c : matched) doomed.insert(c.name);

  // Chains that stay lose the removed children first, or the removal is
  // refused: a chain never names a collection that is gone.
  std::map<std::string, std::vector<std::string>> parents;  // Doomed name -> its chains.
  std::set<std::string> outside;                            // Chains that stay.
  for (const std::string& name : doomed) {
    STARLOG_ASSIGN_OR_RETURN(parents[name], view.ParentChains(name));
    for (const std::string& chain : parents[name]) {
      if (doomed.count(chain) != 0) continue;
      if (!e.remove_from_parents) {
        return Status::Conflict("collection " + Quoted(name) + " is in chain " + Quoted(chain) +
                                "; give --remove-from-parents to take it out, or remove " +
                                Quoted(chain) + " too");
      }
      outside.insert(chain);
    }
  }
  Bodies events;
  for (const std::string& chain : outside) {
    STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(chain));
    if (!info) return Status::Corruption("chain " + Quoted(chain) + " is indexed but missing");
    std::vector<std::string> kept;
    for (const std::string& child : info->children) {
      if (doomed.count(child) == 0) kept.push_back(child);
    }
    events.emplace_back(codec::SetChain{chain, std::move(kept)});
  }
  // A chain goes before the removed collections it lists: each pass removes
  // those whose removed parents are already gone.
  std::set<std::string> gone;
  result->names.clear();
  while (gone.size() < doomed.size()) {
    const size_t before = gone.size();
    for (const std::string& name : doomed) {
      if (gone.count(name) != 0) continue;
      const bool ready =
          std::all_of(parents[name].begin(), parents[name].end(), [&](const std::string& chain) {
            return doomed.count(chain) == 0 || gone.count(chain) != 0;
          });
      if (!ready) continue;
      gone.insert(name);
      result->names.push_back(name);
      events.emplace_back(codec::RemoveCollection{name, /*with_datasets=*/false});
    }
    if (gone.size() == before) return Status::Corruption("chains among the removed form a cycle");
  }
  return events;
}

Result<Bodies> PlanChainEdit(const RegistryView& view, const ChainEditEdit& e, EditResult* result) {
  STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetCollection(e.chain));
  std::vector<std::string> current;
  Bodies events;
  if (existing) {
    if (existing->type != codec::CollectionType::kChained) {
      return Status::Conflict(Quoted(e.chain) + " is a " +
                              std::string(codec::CollectionTypeName(existing->type)) +
                              " collection, not CHAINED");
    }
    current = existing->children;
  } else if (e.edit == ChainEdit::kRemove || e.edit == ChainEdit::kPop) {
    // Nothing to take out of: the butler's collection-chain refuses too.
    return Status::NotFound("no collection " + Quoted(e.chain) + " to " +
                            (e.edit == ChainEdit::kRemove ? "remove from" : "pop"));
  } else {
    events.emplace_back(codec::CreateCollection{e.chain, codec::CollectionType::kChained, e.doc});
  }
  std::vector<std::string> given = e.names;
  if (e.flatten) {
    STARLOG_ASSIGN_OR_RETURN(given, view.ResolveSearchPath(e.names));
  }
  if (e.edit == ChainEdit::kRemove) {
    // A child the chain lacks is ignored, one the registry lacks is not.
    for (const std::string& n : given) {
      if (std::find(current.begin(), current.end(), n) != current.end()) continue;
      STARLOG_ASSIGN_OR_RETURN(auto known, view.GetCollection(n));
      if (!known) return Status::NotFound("no collection " + Quoted(n));
    }
  }
  STARLOG_ASSIGN_OR_RETURN(result->names, EditChain(current, e.edit, given));
  result->created = !existing;
  events.emplace_back(codec::SetChain{e.chain, result->names});
  return events;
}

Result<Bodies> PlanPolicyRole(const RegistryView& view, const PolicyRoleEdit& e) {
  STARLOG_ASSIGN_OR_RETURN(auto current, view.Policy());
  if (!current) {
    return Status::NotFound("the repository has no policy yet: run `starlog policy init`");
  }
  codec::SetPolicy policy = std::move(*current);
  auto it = std::find_if(policy.roles.begin(), policy.roles.end(),
                         [&](const codec::PolicyRole& r) { return r.name == e.role; });
  if (it == policy.roles.end()) {
    if (!e.grant) return Status::NotFound("no role " + Quoted(e.role));
    policy.roles.push_back({e.role, {}});
    it = policy.roles.end() - 1;
  }
  auto& users = it->users;
  const bool has = std::find(users.begin(), users.end(), e.user) != users.end();
  if (e.grant && !has) users.push_back(e.user);
  if (!e.grant) std::erase(users, e.user);
  return Bodies{std::move(policy)};
}

// Runs "plan" under the writer's lock and fills in the head and the events
// the edit appended.
template <typename PlanFn>
Status Planned(EventStore& store, const Actor& actor, EditResult* result, PlanFn plan) {
  uint64_t before = 0;
  STARLOG_ASSIGN_OR_RETURN(result->head, store.AppendPlanned(
                                             [&](const RegistryView& view) -> Result<Bodies> {
                                               before = view.sequence();
                                               return plan(view);
                                             },
                                             actor));
  result->first = result->head.sequence > before ? before + 1 : 0;
  return Status::OK();
}

}  // namespace

std::string_view EditName(const Edit& edit) {
  struct Names {
    std::string_view operator()(const AppendEdit&) const { return "append"; }
    std::string_view operator()(const EnsureCollectionEdit&) const { return "ensure-collection"; }
    std::string_view operator()(const RemoveRunsEdit&) const { return "remove-runs"; }
    std::string_view operator()(const ChainEditEdit&) const { return "collection-chain"; }
    std::string_view operator()(const PolicyRoleEdit&) const { return "policy-role"; }
    std::string_view operator()(const PruneEdit&) const { return "prune-datasets"; }
    std::string_view operator()(const RemoveCollectionsEdit&) const { return "remove-collections"; }
  };
  return std::visit(Names{}, edit);
}

Result<EditResult> ApplyEdit(EventStore& store, const Edit& edit, const Actor& actor) {
  EditResult result;
  // An overload per alternative and no catch-all: a new kind of edit that is
  // not handled here does not compile.
  struct Apply {
    EventStore& store;
    const Actor& actor;
    EditResult* result;
    Status operator()(const AppendEdit& e) const {
      return Planned(store, actor, result, [&](const RegistryView&) { return Bodies(e.bodies); });
    }
    Status operator()(const EnsureCollectionEdit& e) const {
      return Planned(store, actor, result,
                     [&](const RegistryView& view) { return PlanEnsureCollection(view, e); });
    }
    Status operator()(const RemoveRunsEdit& e) const {
      return Planned(store, actor, result,
                     [&](const RegistryView& view) { return PlanRemoveRuns(view, e, result); });
    }
    Status operator()(const ChainEditEdit& e) const {
      if (e.flatten && e.edit == ChainEdit::kPop) {
        return Status::InvalidArgument("--flatten names collections; pop takes positions");
      }
      return Planned(store, actor, result,
                     [&](const RegistryView& view) { return PlanChainEdit(view, e, result); });
    }
    Status operator()(const PolicyRoleEdit& e) const {
      return Planned(store, actor, result,
                     [&](const RegistryView& view) { return PlanPolicyRole(view, e); });
    }
    Status operator()(const RemoveCollectionsEdit& e) const {
      return Planned(store, actor, result, [&](const RegistryView& view) {
        return PlanRemoveCollections(view, e, result);
      });
    }
    Status operator()(const PruneEdit& e) const {
      STARLOG_ASSIGN_OR_RETURN(PruneReport report, PruneDatasets(store, e.ids, e.mode, actor));
      result->head = report.head;
      result->first = report.first;
      result->datasets = report.datasets;
      result->files_deleted = report.files_deleted;
      result->file_errors = std::move(report.file_errors);
      return Status::OK();
    }
  };
  STARLOG_RETURN_IF_ERROR(std::visit(Apply{store, actor, &result}, edit));
  return result;
}

}  // namespace starlog::engine
