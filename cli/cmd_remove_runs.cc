#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForWrite(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store->View());
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto runs,
                           view.QueryCollections(patterns, {codec::CollectionType::kRun}));
  if (runs.empty()) return Status::NotFound("no RUN collection matches");
  // Check every run first, so that a refusal leaves all of them in place.
  STARLOG_ASSIGN_OR_RETURN(auto chains,
                           view.QueryCollections({}, {codec::CollectionType::kChained}));
  for (const auto& run : runs) {
    for (const auto& chain : chains) {
      for (const auto& child : chain.children) {
        if (child == run.name) {
          return Status::Conflict("RUN '" + run.name + "' is referenced by chain '" + chain.name +
                                  "'; remove it from the chain first (nothing was removed)");
        }
      }
    }
  }
  for (const auto& run : runs) {
    STARLOG_ASSIGN_OR_RETURN(
        engine::Head head,
        store->Append(codec::RemoveCollection{run.name, true}, ActingUser(args)));
    io.out << "removed RUN " << run.name << " with its datasets (event " << head.sequence << ")\n";
  }
  return Status::OK();
}

}  // namespace

CommandSpec RemoveRunsCommand() {
  return {
      .name = "remove-runs",
      .summary = "remove RUN collections and every dataset in them",
      .description =
          "The datasets also leave every TAGGED and CALIBRATION collection. A run that\n"
          "a chain references is refused, naming the chain, and then nothing is\n"
          "removed. History keeps them: queries --as-of earlier still see them.",
      .positionals = {{"PATH", "repository folder"},
                      {"RUNS...", "run names or glob patterns", false, true}},
      .options = {UserOption(), NoSyncOption()},
      .examples = {"starlog remove-runs repo u/alice/scratch/*"},
      .run = Run,
  };
}

}  // namespace starlog::cli
