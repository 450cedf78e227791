#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& parent = args.positional(1);
  // Children may come comma-separated, as the butler's command splits them.
  std::vector<std::string> names;
  for (auto it = args.positionals().begin() + 2; it != args.positionals().end(); ++it) {
    size_t start = 0;
    while (start <= it->size()) {
      size_t comma = it->find(',', start);
      if (comma == std::string::npos) comma = it->size();
      if (comma > start) names.push_back(it->substr(start, comma - start));
      start = comma + 1;
    }
  }
  STARLOG_ASSIGN_OR_RETURN(engine::ChainEdit edit,
                           AsUsageError(engine::ParseChainEdit(args.GetOr("mode", "redefine"))));
  if (names.empty() && edit != engine::ChainEdit::kPop &&
      !(edit == engine::ChainEdit::kRedefine && args.Has("mode"))) {
    // One forgotten argument must not empty a chain such as HSC/defaults.
    return UsageError("no children given for " + parent +
                      (edit == engine::ChainEdit::kRedefine
                           ? "; to make it empty, say so: --mode redefine with no children"
                           : "; name the collections to " + args.GetOr("mode", "")));
  }
  STARLOG_ASSIGN_OR_RETURN(
      auto result, Submit(args, io,
                          engine::ChainEditEdit{parent, edit, std::move(names),
                                                args.GetOr("doc", ""), args.Has("flatten")}));
  std::string shown;
  for (const auto& c : result.names) shown += (shown.empty() ? "" : ", ") + c;
  ReportEdit(io, result, parent + " = [" + shown + "]");
  return Status::OK();
}

}  // namespace

CommandSpec CollectionChainCommand() {
  return {
      .name = "collection-chain",
      .summary = "define or redefine a CHAINED collection (created if missing)",
      .description =
          "--mode redefine (default) sets the children; prepend and extend add them at the\n"
          "front or back (moving any already there); remove takes them out (one the chain\n"
          "lacks is ignored, one no collection has is an error, as the butler's); pop takes\n"
          "out the children at the given positions (0 first, -1 last; the first when none\n"
          "is given); remove and pop need the chain to exist. Children may be\n"
          "comma-separated; one given twice counts once. --flatten\n"
          "puts the collections a child chain searches in place of the chain.\n"
          "Without children only pop and an explicit --mode redefine (which empties the\n"
          "chain) are taken; a chain and its definition are created in one atomic write.\n"
          "Cycles are refused with the cycle named. The event records the whole new list.",
      .positionals = {{"PATH", "repository folder"},
                      {"CHAIN", "the CHAINED collection"},
                      {"CHILDREN...", "collections (or positions, for pop)", true, true}},
      .options = {{"mode",
                   "MODE",
                   "redefine, prepend, extend, remove or pop",
                   false,
                   1,
                   {"redefine", "prepend", "extend", "remove", "pop"}},
                  {"doc", "TEXT", "documentation, when the chain is created"},
                  {"flatten", "", "replace child chains by the collections they search"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog collection-chain repo HSC/calib HSC/calib/DM-2 HSC/calib/DM-1",
                   "starlog collection-chain repo HSC/calib HSC/calib/DM-3 --mode prepend",
                   "starlog collection-chain repo HSC/calib --mode pop"},
      .run = Run,
  };
}

}  // namespace starlog::cli
