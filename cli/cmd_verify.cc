#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/peer_options.h"
#include "starlog/codec/json_writer.h"
#include "starlog/codec/text.h"
#include "starlog/replication/replica_files.h"
#include "starlog/replication/verify.h"

namespace starlog::cli {

namespace {

// --files: the files this copy should hold, by size and XXH3-128.
Status CheckFiles(const engine::EventStore& store, bool json, codec::JsonWriter* w, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto files, replication::CheckWantedFiles(store, /*contents=*/true));
  if (json) {
    WriteFilesJson(files, *w);
  } else {
    io.out << "files: " << files.checked << " checked by size and XXH3-128, " << files.missing
           << " missing, " << files.damaged << " damaged\n";
    for (const engine::FileProblem& p : files.problems) io.out << FileProblemLine(p) << "\n";
  }
  if (files.intact()) return Status::OK();
  return Status::Conflict(
      std::to_string(files.missing) + " files missing and " + std::to_string(files.damaged) +
      " damaged (on a replica, `starlog replicate --recheck-contents` fetches them again)");
}

Status Run(const ParsedArgs& args, Io& io) {
  auto against = args.Get("against");
  const bool files = args.Has("files");
  if (!against && !files) return UsageError("give --against HOST:PORT or PATH");
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  const bool json = args.Has("json");
  codec::JsonWriter w;
  w.BeginObject();
  Status verdict;
  if (against) {
    replication::VerifyOptions options;
    options.recompute = args.Has("recompute");
    if (args.Has("key")) {
      STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
    }
    options.tls = Tls(args);
    STARLOG_ASSIGN_OR_RETURN(auto r, replication::Verify(*store, *against, options));
    if (json) {
      WriteVerifyJson(r, w);
    } else if (r.agree) {
      io.out << "agree through event " << r.common << ": chain hash " << r.chain_hash.ToHex()
             << ", state digest " << r.state_digest.ToHex()
             << (r.recomputed ? " (recomputed from the indexes)" : "") << "\n";
      if (r.local_head != r.other_head) {
        io.out << (r.local_head > r.other_head ? "this copy" : "the other") << " is ahead ("
               << r.local_head << " vs " << r.other_head << " events)\n";
      }
    } else if (r.recomputed && !r.indexes_intact) {
      io.out << "DISAGREE: this copy's indexes no longer sum to the digest recorded at event "
             << r.common << " (run `starlog digest --recompute` and `starlog rebuild`)\n";
    } else {
      io.out << "DISAGREE: the copies first differ at event " << r.first_difference
             << " (they agree through event " << r.first_difference - 1 << ")\n";
    }
    if (!r.agree) verdict = Status::Conflict("the copies disagree");
  }
  if (files) {
    const Status s = CheckFiles(*store, json, &w, io);
    if (verdict.ok()) verdict = s;
  }
  if (json) {
    w.EndObject();
    io.out << w.str() << "\n";
  }
  return verdict;
}

}  // namespace

CommandSpec VerifyCommand() {
  return {
      .name = "verify",
      .summary = "prove two copies of a repository agree, or find where they part",
      .description =
          "Compares the chain hash (which covers every event before it) and the state\n"
          "digest at the last event both copies hold; if they differ, bisects to the\n"
          "first event that differs. The other copy is a `starlog serve` (HOST:PORT,\n"
          "with --key) or a folder. With --recompute this copy's digest is also\n"
          "recomputed from its indexes. With --files, every file this copy should hold\n"
          "(on a replica: those it copies) is read and checked by size and XXH3-128,\n"
          "missing and damaged ones listed; --files alone checks only that. Exit\n"
          "status 0 only when the copies agree and (with --files) every file is intact.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"against", "HOST:PORT|PATH", "the other copy"},
                  KeyOption(),
                  TlsCaOption(),
                  {"recompute", "", "recompute this copy's state digest from its indexes"},
                  {"files", "", "check this copy's files by size and XXH3-128 (reads them all)"},
                  JsonOption()},
      .examples = {"starlog verify /mirror/repo --against 127.0.0.1:7650 --key key",
                   "starlog verify /mirror/repo --against /data/repo --recompute",
                   "starlog verify /mirror/repo --files"},
      .run = Run,
  };
}

}  // namespace starlog::cli
