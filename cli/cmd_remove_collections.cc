#include "cli/commands.h"
#include "cli/common.h"
#include "cli/confirm.h"
#include "cli/reader.h"
#include "cli/table.h"

namespace starlog::cli {

namespace {

// The butler's remove-collections: TAGGED, CHAINED and CALIBRATION
// collections by name or glob, shown and confirmed first. The edit is sent
// with the exact names shown, so a collection made after the preview that
// a glob would match is not removed unseen; the engine checks them again
// under the writer's lock.
Status Run(const ParsedArgs& args, Io& io) {
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  std::vector<engine::CollectionInfo> matched;
  {
    STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
    STARLOG_ASSIGN_OR_RETURN(matched, reader->QueryCollections(patterns, {}));
  }
  std::vector<std::string> names;
  Table removed({"COLLECTION", "TYPE"});
  Table runs({"COLLECTION"});
  for (const auto& c : matched) {
    if (c.type == codec::CollectionType::kRun) {
      runs.AddRow({c.name});
      continue;
    }
    names.push_back(c.name);
    removed.AddRow({c.name, std::string(codec::CollectionTypeName(c.type))});
  }
  if (runs.size() > 0) {
    io.out << "These RUN collections are not removed (remove-runs removes RUNs):\n";
    runs.Print(io.out);
  }
  if (names.empty()) {
    io.out << "no TAGGED, CHAINED or CALIBRATION collection matches; nothing removed\n";
    return Status::OK();
  }
  if (args.Has("dry-run") || (CanAsk(io) && !args.Has("no-confirm"))) {
    io.out << (args.Has("dry-run") ? "would remove" : "will remove") << " " << names.size()
           << " collections:\n";
    removed.Print(io.out);
    if (args.Has("dry-run")) return Status::OK();
    if (!Confirmed(io, "Continue?")) {
      io.out << "nothing removed\n";
      return Status::OK();
    }
  }
  STARLOG_ASSIGN_OR_RETURN(
      auto result,
      Submit(args, io,
             engine::RemoveCollectionsEdit{std::move(names), args.Has("remove-from-parents")}));
  for (const std::string& name : result.names) io.out << "removed collection " << name << "\n";
  if (result.appended()) {
    io.out << "events " << result.first << "-" << result.head.sequence << "\n";
  }
  return Status::OK();
}

}  // namespace

CommandSpec RemoveCollectionsCommand() {
  return {
      .name = "remove-collections",
      .summary = "remove TAGGED, CHAINED and CALIBRATION collections by name or glob",
      .description =
          "As the butler's remove-collections: the collections that match are listed\n"
          "and, on a terminal, confirmed first (--no-confirm for scripts). RUN collections\n"
          "that match are listed and left: remove-runs removes them with their datasets.\n"
          "A collection that a chain not being removed lists is refused, naming the\n"
          "chain, unless --remove-from-parents takes it out of the chain in the same\n"
          "write. All of it is one atomic write, or nothing. History keeps them: queries\n"
          "--as-of earlier still see them.",
      .positionals = {{"PATH", "repository folder"},
                      {"COLLECTIONS...", "collection names or glob patterns", false, true}},
      .options = {{"remove-from-parents", "", "take them out of the chains that list them"},
                  {"no-confirm", "", "do not ask on a terminal"},
                  {"dry-run", "", "only list what would be removed"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog remove-collections repo 'u/alice/tagged/*'",
                   "starlog remove-collections repo HSC/calib/DM-1234 --remove-from-parents "
                   "--no-confirm"},
      .run = Run,
  };
}

}  // namespace starlog::cli
