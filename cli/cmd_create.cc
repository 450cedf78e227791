#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/engine/policy.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  engine::CreateOptions options;
  options.store.sync = !args.Has("no-sync");
  options.actor = ActingUser(args);
  if (auto path = args.Get("universe")) {
    std::ifstream in(*path);
    if (!in) return Status::NotFound("cannot read universe file " + *path);
    std::stringstream text;
    text << in.rdbuf();
    options.universe = text.str();
  }
  if (!args.Has("no-policy")) options.policy = engine::DefaultPolicy(options.actor);
  STARLOG_ASSIGN_OR_RETURN(auto store, engine::EventStore::Create(args.positional(0), options));
  io.out << "created repository " << store->repository_id().ToString() << " at "
         << args.positional(0);
  if (options.policy) io.out << " (DMTN-167 access policy, " << options.actor << " as admin)";
  io.out << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec CreateCommand() {
  return {
      .name = "create",
      .summary = "create a new repository in a folder",
      .description =
          "Creates PATH (or uses it if empty) and writes event 1, which records the\n"
          "repository id, the format version and the dimension universe, and event 2,\n"
          "DMTN-167's access policy with the creator as admin (see `starlog policy`).",
      .positionals = {{"PATH", "folder of the new repository"}},
      .options = {{"universe", "FILE", "dimension universe config (default: the built-in one)"},
                  {"no-policy", "", "no access policy: every user may write everything"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog create /data/repo", "starlog create ./repo --universe universe.cfg"},
      .run = Run,
  };
}

}  // namespace starlog::cli
