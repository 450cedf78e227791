#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/progress.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  engine::StoreOptions options;
  options.sync = !args.Has("no-sync");
  engine::RepairReport report;
  {
    Progress progress(io, "rebuild", "events");
    STARLOG_ASSIGN_OR_RETURN(report, engine::EventStore::Repair(args.positional(0), options,
                                                                [&](uint64_t done, uint64_t total) {
                                                                  progress.Update(done, total);
                                                                }));
  }
  if (args.Has("json")) {
    io.out << RepairJson(report) << "\n";
    return Status::OK();
  }
  io.out << "kept events 1 to " << report.kept << ": every frame and the chain verify\n";
  if (report.dropped() > 0) {
    io.out << "dropped events " << report.kept + 1 << " to " << report.acknowledged << " ("
           << report.dropped()
           << " acknowledged, lost from the write-ahead log); a replica refills them from its "
              "primary, a primary's replicas that hold them are now ahead of it\n";
  } else {
    io.out << "dropped nothing: the log holds every acknowledged event\n";
  }
  if (report.rebuilt_indexes) io.out << "rebuilt the indexes from the log\n";
  return Status::OK();
}

}  // namespace

CommandSpec RepairCommand() {
  return {
      .name = "repair",
      .summary = "reopen a repository whose log lost acknowledged events, keeping what verifies",
      .description =
          "starlog records the last event it acknowledged outside RocksDB's write-ahead\n"
          "log, and refuses to open a repository whose log holds fewer (a damaged log\n"
          "makes RocksDB's recovery stop early). `repair` recovers the log up to the\n"
          "damage, checks that every frame and the chain verify, rebuilds the indexes\n"
          "if they were lost, and makes the head the new acknowledged mark. It reports\n"
          "the events it kept and the sequences it dropped. It changes nothing if the\n"
          "log that remains does not verify (restore from a replica or a backup then).\n"
          "A replica that was repaired refills the dropped events from its primary at\n"
          "the next `starlog replicate`.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {JsonOption(), NoSyncOption()},
      .examples = {"starlog repair /data/repo"},
      .run = Run,
  };
}

}  // namespace starlog::cli
