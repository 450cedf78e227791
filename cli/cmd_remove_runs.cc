#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto result,
                           Submit(args, io, engine::RemoveRunsEdit{std::move(patterns)}));
  // One event a run, in the order named.
  uint64_t sequence = result.first;
  for (const auto& run : result.names) {
    io.out << "removed RUN " << run << " with its datasets (event " << sequence++ << ")\n";
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
          "removed: all the runs go in one atomic write, or none. History keeps them: queries "
          "--as-of earlier still see them.",
      .positionals = {{"PATH", "repository folder"},
                      {"RUNS...", "run names or glob patterns", false, true}},
      .options = {UserOption(), NoSyncOption()},
      .examples = {"starlog remove-runs repo u/alice/scratch/*"},
      .run = Run,
  };
}

}  // namespace starlog::cli
