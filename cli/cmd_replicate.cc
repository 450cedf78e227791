#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/peer_options.h"
#include "cli/progress.h"
#include "starlog/codec/text.h"
#include "starlog/replication/replicator.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  replication::ReplicateOptions options;
  options.root = args.positional(0);
  auto from = args.Get("from");
  if (!from) return UsageError("give --from HOST:PORT (a `starlog serve`)");
  options.from = *from;
  STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
  options.tls = Tls(args);
  options.follow = args.Has("follow");
  options.copy_files = !args.Has("metadata-only");
  options.recheck_contents = args.Has("recheck-contents");
  for (const std::string& value : args.GetAll("files-for")) {
    size_t begin = 0;
    while (begin <= value.size()) {
      size_t comma = value.find(',', begin);
      if (comma == std::string::npos) comma = value.size();
      if (comma > begin) options.file_collections.push_back(value.substr(begin, comma - begin));
      begin = comma + 1;
    }
  }
  if (!options.copy_files && !options.file_collections.empty()) {
    return UsageError("--metadata-only copies no files; drop --files-for");
  }
  STARLOG_ASSIGN_OR_RETURN(auto retries, args.GetUint("retries"));
  if (retries) options.retries = static_cast<int>(std::min<uint64_t>(*retries, 1000));
  options.sync = !args.Has("no-sync");
  const std::atomic<bool>& stop = StopOnSignal();
  options.stop = [&stop] { return stop.load(); };
  replication::ReplicationStatus last;
  {
    Progress progress(io, "replicate", "events");
    // Lines may quote the primary (errors, file paths): printed escaped.
    options.log = [&io, &progress](const std::string& line) {
      if (io.Shows(LogLevel::kInfo)) progress.Note("replicate: " + codec::Printable(line));
    };
    options.progress = [&](const replication::ReplicationStatus& s) {
      last = s;
      progress.Update(s.head, std::max(s.head, s.primary_head));
    };
    STARLOG_RETURN_IF_ERROR(replication::Replicate(options));
  }
  io.out << "replica " << options.root << " at event " << last.head << " (" << last.state << "); "
         << last.files_copied << " files copied";
  if (!options.copy_files) io.out << " (metadata only)";
  io.out << "\n";
  if (!last.failed_files.empty()) {
    std::string first = codec::Printable(last.failed_files.front().artifact.path) + ": " +
                        codec::Printable(last.failed_files.front().error);
    return Status::Corruption(std::to_string(last.failed_files.size()) +
                              " files could not be copied intact and were not kept (first: " +
                              first + "); they are retried on the next run");
  }
  return Status::OK();
}

}  // namespace

CommandSpec ReplicateCommand() {
  return {
      .name = "replicate",
      .summary = "make PATH a verified copy of a served repository, and keep it one",
      .description =
          "Creates the replica on first use (same repository id as the primary), catches\n"
          "up from its head and, with --follow, tails new events until SIGINT/SIGTERM.\n"
          "Every event is verified (checksum, sequence, chain hash, state digest) before\n"
          "it is applied through the same code as on the primary. Each dataset's file is\n"
          "copied to the same relative path and kept only if its XXH3-128 matches the\n"
          "registry's; a primary that sends more than the recorded size is cut off there.\n"
          "Each run (each connection) first checks the files already copied (a stat\n"
          "each) and fetches those missing or of the wrong size again; with\n"
          "--recheck-contents it reads them all and fetches again any whose XXH3-128\n"
          "differs (`starlog verify --files` finds those). Every message after the\n"
          "handshake is authenticated by a MAC\n"
          "under a per-connection key, so a relay without the key cannot forge one.\n"
          "A broken connection is retried with a growing pause; a refusal\n"
          "(wrong key, another repository, a diverged replica) ends the command.\n"
          "A replica refuses every write command; `starlog status` shows its lag.",
      .positionals = {{"PATH", "the replica's folder (new, or an existing replica)"}},
      .options = {{"from", "HOST:PORT", "the primary (`starlog serve`)"},
                  KeyOption(),
                  TlsCaOption(),
                  {"follow", "", "keep applying new events as they are written"},
                  {"metadata-only", "", "copy the registry only, no files"},
                  {"files-for", "C[,C...]",
                   "copy only the files of datasets in these collections (globs; chains expand)",
                   true},
                  {"recheck-contents", "",
                   "on connecting, read every copied file and fetch again any damaged"},
                  {"retries", "N", "without --follow: attempts after a failure (default 3)"},
                  NoSyncOption()},
      .examples = {"starlog replicate /mirror/repo --from primary.example.org:7650 --key key",
                   "starlog replicate /mirror/repo --from 127.0.0.1:7650 --key key --follow "
                   "--files-for 'HSC/calib*'"},
      .run = Run,
  };
}

}  // namespace starlog::cli
