#pragma once

// A registry change as data: what a command asks for, whether it runs in
// this process (ApplyEdit on an EventStore) or travels to the repository's
// service, which applies it in the same way with the identity it
// authenticated. Each edit is one atomic append: all of its events or none,
// and an edit that reads before it writes (a chain prepend, a role grant)
// reads under the writer's lock, so concurrent edits never lose one another.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/chain_edit.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/prune.h"
#include "starlog/result.h"

namespace starlog::engine {

// Events to append as they are (EventStore::AppendAll).
struct AppendEdit {
  std::vector<codec::EventBody> bodies;
};

// EnsureCollection (atomic_edits.h).
struct EnsureCollectionEdit {
  std::string name;
  codec::CollectionType type = codec::CollectionType::kRun;
  std::optional<std::string> doc;
};

// RemoveRuns (atomic_edits.h).
struct RemoveRunsEdit {
  std::vector<std::string> patterns;
};

// Removes the TAGGED, CHAINED and CALIBRATION collections that "patterns"
// (names or globs) match, as the butler's remove-collections: a RUN named
// exactly is refused (remove-runs removes RUNs); one a glob matches is left.
// A chain that lists a removed collection and is not removed itself is a
// Conflict naming both, unless "remove_from_parents" takes the collection
// out of it in the same append. Chains go before their removed children.
struct RemoveCollectionsEdit {
  std::vector<std::string> patterns;
  bool remove_from_parents = false;
};

// EditCollectionChain (atomic_edits.h).
struct ChainEditEdit {
  std::string chain;
  ChainEdit edit = ChainEdit::kRedefine;
  std::vector<std::string> names;
  std::string doc;
  bool flatten = false;
};

// EditPolicyRole (atomic_edits.h).
struct PolicyRoleEdit {
  std::string role;
  std::string user;
  bool grant = true;
};

// PruneDatasets (prune.h). Files are deleted by the process that applies
// it: for the service, the account that owns the repository's files.
struct PruneEdit {
  std::vector<codec::Uuid> ids;
  PruneMode mode = PruneMode::kForget;
};

using Edit = std::variant<AppendEdit, EnsureCollectionEdit, RemoveRunsEdit, ChainEditEdit,
                          PolicyRoleEdit, PruneEdit, RemoveCollectionsEdit>;

// The edit's name for messages: "append", "ensure-collection", ...
std::string_view EditName(const Edit& edit);

struct EditResult {
  Head head;  // The head after the edit.
  // The events this edit appended, "first" to "head.sequence"; 0 when it
  // changed nothing.
  uint64_t first = 0;
  // RemoveRunsEdit: the runs removed (sorted). ChainEditEdit: the chain's
  // children afterwards. RemoveCollectionsEdit: the collections removed, in
  // the order removed.
  std::vector<std::string> names;
  bool created = false;  // ChainEditEdit: whether the chain was created.
  // PruneEdit: datasets pruned, files deleted, files that could not be.
  size_t datasets = 0;
  size_t files_deleted = 0;
  std::vector<std::string> file_errors;

  bool appended() const { return first != 0; }
};

// Applies "edit" to "store" as "actor". A refused edit changes nothing; its
// status says why, as the engine call it stands for would.
Result<EditResult> ApplyEdit(EventStore& store, const Edit& edit, const Actor& actor);

}  // namespace starlog::engine
