#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/as_of.h"

namespace starlog::cli {

namespace {

Status Create(const ParsedArgs& args, Io& io) {
  if (args.positional_count() != 2) return UsageError("usage: snapshot create PATH NAME");
  // Without --at, the head this command saw: what the user asked to name.
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  uint64_t at = target.store().head().sequence;
  if (auto point = args.Get("at")) {
    STARLOG_ASSIGN_OR_RETURN(at, engine::ResolveAsOf(target.store(), *point));
  }
  STARLOG_ASSIGN_OR_RETURN(
      auto result,
      target.Submit(engine::AppendEdit{{codec::CreateSnapshot{args.positional(1), at}}}));
  io.out << "snapshot " << args.positional(1) << " names sequence " << at << " (event "
         << result.head.sequence << ")\n";
  return Status::OK();
}

Status Show(const ParsedArgs& args, Io& io, bool list) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  STARLOG_ASSIGN_OR_RETURN(auto snapshots, view.Snapshots());
  if (!list) {
    if (args.positional_count() != 2) return UsageError("usage: snapshot show PATH NAME");
    std::erase_if(snapshots, [&](const auto& s) { return s.name != args.positional(1); });
    if (snapshots.empty()) return Status::NotFound("no snapshot '" + args.positional(1) + "'");
  }
  std::vector<engine::Head> heads;
  for (const auto& s : snapshots) {
    STARLOG_ASSIGN_OR_RETURN(engine::Head h, store->HeadAt(s.sequence));
    heads.push_back(h);
  }
  if (args.Has("json")) {
    io.out << SnapshotsJson(snapshots, heads) << "\n";
    return Status::OK();
  }
  Table t({"NAME", "SEQUENCE", "TIME (UTC)", "CHAIN HASH", "STATE DIGEST"});
  for (size_t i = 0; i < snapshots.size(); ++i) {
    t.AddRow({snapshots[i].name, std::to_string(snapshots[i].sequence),
              codec::FormatIsoTime(heads[i].commit_time_ns, 3), heads[i].chain_hash.ToHex(),
              heads[i].state_digest.ToHex()});
  }
  t.Print(io.out);
  return Status::OK();
}

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& action = args.positional(0);
  // Shift the action off so that positional 0 is the repository, as elsewhere.
  ParsedArgs rest = args;
  rest.DropFirstPositional();
  if (action == "create") return Create(rest, io);
  if (action == "list") return Show(rest, io, /*list=*/true);
  if (action == "show") return Show(rest, io, /*list=*/false);
  return UsageError("unknown snapshot action '" + action + "'; use create, list or show");
}

}  // namespace

CommandSpec SnapshotCommand() {
  return {
      .name = "snapshot",
      .summary = "name a point of the log, to query --as-of it later",
      .description =
          "create PATH NAME [--at SEQ|TIME]: names the head, or the given point (a snapshot\n"
          "is an event, so it replicates). list PATH: every snapshot. show PATH NAME: one,\n"
          "with its time, chain hash and state digest.",
      .positionals = {{"ACTION", "create, list or show"},
                      {"PATH", "repository folder"},
                      {"NAME", "snapshot name (create, show)", true}},
      .options = {{"at", "POINT", "create: a sequence or UTC time (default: the head)"},
                  AsOfOption(),
                  JsonOption(),
                  UserOption(),
                  NoSyncOption()},
      .examples =
          {"starlog snapshot create repo DM-1-inputs",
           "starlog snapshot create repo before-reprocessing --at 2024-03-01T00:00:00Z",
           "starlog snapshot list repo",
           "starlog query-datasets repo raw --collections HSC/defaults --as-of DM-1-inputs"},
      .run = Run,
  };
}

}  // namespace starlog::cli
