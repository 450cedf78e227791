#include "starlog/engine/atomic_edits.h"

#include <algorithm>

#include "starlog/codec/text.h"
#include "starlog/engine/glob.h"

namespace starlog::engine {

using codec::Quoted;

namespace {}  // namespace

Result<Head> EnsureCollection(EventStore& store, const std::string& name,
                              codec::CollectionType type, const std::optional<std::string>& doc,
                              std::string_view actor) {
  return store.AppendPlanned(
      [&](const RegistryView& view) -> Result<std::vector<codec::EventBody>> {
        std::string text = doc.value_or("");
        if (!doc) {
          STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetCollection(name));
          if (existing) text = existing->doc;
        }
        return std::vector<codec::EventBody>{codec::CreateCollection{name, type, std::move(text)}};
      },
      actor);
}

Result<RemovedRuns> RemoveRuns(EventStore& store, const std::vector<std::string>& patterns,
                               std::string_view actor) {
  RemovedRuns removed;
  STARLOG_ASSIGN_OR_RETURN(
      removed.head,
      store.AppendPlanned(
          [&](const RegistryView& view) -> Result<std::vector<codec::EventBody>> {
            // A name (not a pattern) of another kind of collection is named
            // as such, not passed over.
            for (const std::string& p : patterns) {
              if (HasGlobCharacters(p)) continue;
              STARLOG_ASSIGN_OR_RETURN(auto c, view.GetCollection(p));
              if (!c) return Status::NotFound("no collection " + Quoted(p));
              if (c->type != codec::CollectionType::kRun) {
                return Status::InvalidArgument(
                    Quoted(p) + " is a " + std::string(codec::CollectionTypeName(c->type)) +
                    " collection, not a RUN; remove it with remove-collection");
              }
            }
            STARLOG_ASSIGN_OR_RETURN(
                auto runs, view.QueryCollections(patterns, {codec::CollectionType::kRun}));
            if (runs.empty()) return Status::NotFound("no RUN collection matches");
            std::vector<codec::EventBody> events;
            removed.runs.clear();
            for (const auto& run : runs) {
              removed.runs.push_back(run.name);
              events.emplace_back(codec::RemoveCollection{run.name, /*with_datasets=*/true});
            }
            return events;
          },
          actor));
  return removed;
}

Result<EditedChain> EditCollectionChain(EventStore& store, const std::string& chain, ChainEdit edit,
                                        const std::vector<std::string>& names,
                                        const std::string& doc, std::string_view actor,
                                        bool flatten) {
  if (flatten && edit == ChainEdit::kPop) {
    return Status::InvalidArgument("--flatten names collections; pop takes positions");
  }
  EditedChain edited;
  STARLOG_ASSIGN_OR_RETURN(
      edited.head,
      store.AppendPlanned(
          [&](const RegistryView& view) -> Result<std::vector<codec::EventBody>> {
            STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetCollection(chain));
            std::vector<std::string> current;
            std::vector<codec::EventBody> events;
            if (existing) {
              if (existing->type != codec::CollectionType::kChained) {
                return Status::Conflict(Quoted(chain) + " is a " +
                                        std::string(codec::CollectionTypeName(existing->type)) +
                                        " collection, not CHAINED");
              }
              current = existing->children;
            } else {
              events.emplace_back(
                  codec::CreateCollection{chain, codec::CollectionType::kChained, doc});
            }
            std::vector<std::string> given = names;
            if (flatten) {
              STARLOG_ASSIGN_OR_RETURN(given, view.ResolveSearchPath(names));
            }
            STARLOG_ASSIGN_OR_RETURN(edited.children, EditChain(current, edit, given));
            edited.created = !existing;
            events.emplace_back(codec::SetChain{chain, edited.children});
            return events;
          },
          actor));
  return edited;
}

Result<Head> EditPolicyRole(EventStore& store, const std::string& role, const std::string& user,
                            bool grant, std::string_view actor) {
  return store.AppendPlanned(
      [&](const RegistryView& view) -> Result<std::vector<codec::EventBody>> {
        STARLOG_ASSIGN_OR_RETURN(auto current, view.Policy());
        if (!current) {
          return Status::NotFound("the repository has no policy yet: run `starlog policy init`");
        }
        codec::SetPolicy policy = std::move(*current);
        auto it = std::find_if(policy.roles.begin(), policy.roles.end(),
                               [&](const codec::PolicyRole& r) { return r.name == role; });
        if (it == policy.roles.end()) {
          if (!grant) return Status::NotFound("no role " + Quoted(role));
          policy.roles.push_back({role, {}});
          it = policy.roles.end() - 1;
        }
        auto& users = it->users;
        const bool has = std::find(users.begin(), users.end(), user) != users.end();
        if (grant && !has) users.push_back(user);
        if (!grant) std::erase(users, user);
        return std::vector<codec::EventBody>{std::move(policy)};
      },
      actor);
}

}  // namespace starlog::engine
