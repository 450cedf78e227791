#include "cli/commands.h"
#include "cli/common.h"
#include "cli/peer_options.h"
#include "starlog/codec/json_writer.h"
#include "starlog/replication/verify.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  auto against = args.Get("against");
  if (!against) return UsageError("give --against HOST:PORT or PATH");
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  replication::VerifyOptions options;
  options.recompute = args.Has("recompute");
  if (args.Has("key")) {
    STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
  }
  options.tls = Tls(args);
  STARLOG_ASSIGN_OR_RETURN(auto r, replication::Verify(*store, *against, options));
  if (args.Has("json")) {
    codec::JsonWriter w;
    w.BeginObject();
    w.Key("agree").Bool(r.agree);
    w.Key("local_head").Uint(r.local_head);
    w.Key("other_head").Uint(r.other_head);
    w.Key("common").Uint(r.common);
    w.Key("chain_hash").String(r.chain_hash.ToHex());
    w.Key("state_digest").String(r.state_digest.ToHex());
    if (!r.agree) w.Key("first_difference").Uint(r.first_difference);
    if (r.recomputed) w.Key("indexes_intact").Bool(r.indexes_intact);
    w.EndObject();
    io.out << w.str() << "\n";
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
  if (!r.agree) return Status::Conflict("the copies disagree");
  return Status::OK();
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
          "recomputed from its indexes. Exit status 0 only when they agree.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"against", "HOST:PORT|PATH", "the other copy"},
                  KeyOption(),
                  TlsCaOption(),
                  {"recompute", "", "recompute this copy's state digest from its indexes"},
                  JsonOption()},
      .examples = {"starlog verify /mirror/repo --against 127.0.0.1:7650 --key key",
                   "starlog verify /mirror/repo --against /data/repo --recompute"},
      .run = Run,
  };
}

}  // namespace starlog::cli
