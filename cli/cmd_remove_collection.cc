#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& name = args.positional(1);
  STARLOG_ASSIGN_OR_RETURN(
      auto result,
      Submit(args, io,
             engine::AppendEdit{{codec::RemoveCollection{name, /*with_datasets=*/false}}}));
  io.out << "removed collection " << name << " (event " << result.head.sequence << ")\n";
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
