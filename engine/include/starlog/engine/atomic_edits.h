#pragma once

// Registry commands that read before they write or append several events.
// Each is one EventStore::AppendPlanned: it is all or nothing, and no other
// writer can come between what it read and what it writes. The CLI, the
// service and the Python module call these, never a loop of appends.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/engine/chain_edit.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::engine {

// Creates collection "name" of "type" with "doc". If it exists with that
// type, its doc becomes "doc" when one is given and stays as it is when not
// (as the butler's registerCollection leaves an existing one alone); another
// type is Conflict.
Result<Head> EnsureCollection(EventStore& store, const std::string& name,
                              codec::CollectionType type, const std::optional<std::string>& doc,
                              const Actor& actor);

struct RemovedRuns {
  std::vector<std::string> runs;  // Sorted by name.
  Head head;
};

// Removes every RUN collection matching "patterns" (names or globs) with all
// its datasets. NotFound if none matches; if any is refused (a chain refers
// to it, the policy forbids it) none is removed and the status names it.
Result<RemovedRuns> RemoveRuns(EventStore& store, const std::vector<std::string>& patterns,
                               const Actor& actor);

struct EditedChain {
  std::vector<std::string> children;  // The chain's children afterwards.
  bool created = false;               // Whether the chain was created.
  Head head;
};

// Applies "edit" with "names" to CHAINED collection "chain", creating it
// (with "doc") if it does not exist: the creation and the definition are
// one atomic write, so a refused definition leaves no empty chain. With
// "flatten", chains among "names" stand for the collections they search, in
// order (not for pop). Conflict if "chain" exists and is not CHAINED.
Result<EditedChain> EditCollectionChain(EventStore& store, const std::string& chain, ChainEdit edit,
                                        const std::vector<std::string>& names,
                                        const std::string& doc, const Actor& actor,
                                        bool flatten = false);

// Adds "user" to (or, with "grant" false, removes them from) role "role" of
// the access policy, reading and writing it under the writer's lock so that
// no concurrent change of the policy is lost. Granting a role that does not
// exist creates it; revoking from one is NotFound. NotFound if there is no
// policy yet.
Result<Head> EditPolicyRole(EventStore& store, const std::string& role, const std::string& user,
                            bool grant, const Actor& actor);

}  // namespace starlog::engine
