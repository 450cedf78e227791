#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  engine::StoreOptions options;
  options.sync = !args.Has("no-sync");
  uint64_t replayed = 0;
  uint32_t converted_from = 0;
  {
    Progress progress(io, "rebuild", "events");
    STARLOG_RETURN_IF_ERROR(engine::EventStore::Rebuild(
        args.positional(0), options,
        [&](uint64_t done, uint64_t total) {
          replayed = done;
          progress.Update(done, total);
        },
        &converted_from));
  }
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  if (converted_from != 0) {
    io.out << "converted the repository from format version " << converted_from << " to "
           << engine::kFormatVersion << ": rebuilt the indexes from " << replayed
           << " events and recorded their new state digests (now "
           << store->head().state_digest.ToHex() << ")\n";
    return Status::OK();
  }
  io.out << "rebuilt the indexes from " << replayed << " events; the state digest "
         << store->head().state_digest.ToHex() << " matched at every event\n";
  return Status::OK();
}

}  // namespace

CommandSpec RebuildCommand() {
  return {
      .name = "rebuild",
      .summary = "drop every index and rebuild it from the log, checking every digest",
      .description =
          "Replays the log through the same apply path as appends and checks the state\n"
          "digest after every event against the one recorded when it was appended: the\n"
          "proof that the indexes are exactly the log's. A mismatch names the first\n"
          "sequence that differs. Use it when `starlog` reports lost or half-rebuilt\n"
          "indexes; a rebuild interrupted is simply run again. A repository of an older\n"
          "format version is converted: its log replayed into indexes of this version,\n"
          "whose state digests replace the recorded ones.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {NoSyncOption()},
      .examples = {"starlog rebuild /data/repo"},
      .run = Run,
  };
}

}  // namespace starlog::cli
