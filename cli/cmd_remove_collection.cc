#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForWrite(args, &io.err));
  codec::RemoveCollection event{args.positional(1), /*with_datasets=*/false};
  STARLOG_ASSIGN_OR_RETURN(engine::Head head, store->Append(event, ActingUser(args)));
  io.out << "removed collection " << event.name << " (event " << head.sequence << ")\n";
  return Status::OK();
}

}  // namespace

CommandSpec RemoveCollectionCommand() {
  return {
      .name = "remove-collection",
      .summary = "remove a collection that no chain references",
      .description =
          "A RUN that still holds datasets is removed only by `remove-runs`. A\n"
          "collection referenced by a CHAINED collection cannot be removed; the\n"
          "error names the chain. History keeps it: queries --as-of earlier see it.",
      .positionals = {{"PATH", "repository folder"}, {"NAME", "collection name"}},
      .options = {UserOption(), NoSyncOption()},
      .examples = {"starlog remove-collection /data/repo u/alice/scratch"},
      .run = Run,
  };
}

}  // namespace starlog::cli
