#include "starlog/engine/atomic_edits.h"

#include "starlog/engine/edits.h"

namespace starlog::engine {

// Each is an Edit (edits.h), which holds the logic: the CLI, the service and
// the Python module reach the same code whether they call these or ApplyEdit.

Result<Head> EnsureCollection(EventStore& store, const std::string& name,
                              codec::CollectionType type, const std::optional<std::string>& doc,
                              const Actor& actor) {
  STARLOG_ASSIGN_OR_RETURN(EditResult r,
                           ApplyEdit(store, EnsureCollectionEdit{name, type, doc}, actor));
  return r.head;
}

Result<RemovedRuns> RemoveRuns(EventStore& store, const std::vector<std::string>& patterns,
                               const Actor& actor) {
  STARLOG_ASSIGN_OR_RETURN(EditResult r, ApplyEdit(store, RemoveRunsEdit{patterns}, actor));
  return RemovedRuns{std::move(r.names), r.head};
}

Result<EditedChain> EditCollectionChain(EventStore& store, const std::string& chain, ChainEdit edit,
                                        const std::vector<std::string>& names,
                                        const std::string& doc, const Actor& actor, bool flatten) {
  STARLOG_ASSIGN_OR_RETURN(
      EditResult r, ApplyEdit(store, ChainEditEdit{chain, edit, names, doc, flatten}, actor));
  return EditedChain{std::move(r.names), r.created, r.head};
}

Result<Head> EditPolicyRole(EventStore& store, const std::string& role, const std::string& user,
                            bool grant, const Actor& actor) {
  STARLOG_ASSIGN_OR_RETURN(EditResult r,
                           ApplyEdit(store, PolicyRoleEdit{role, user, grant}, actor));
  return r.head;
}

}  // namespace starlog::engine
