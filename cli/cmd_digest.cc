#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/engine/as_of.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  uint64_t at = store->head().sequence;
  if (auto point = args.Get("as-of")) {
    STARLOG_ASSIGN_OR_RETURN(at, engine::ResolveAsOf(*store, *point));
  }
  STARLOG_ASSIGN_OR_RETURN(engine::Head head, store->HeadAt(at));
  std::optional<engine::DigestReport> report;
  if (args.Has("recompute")) {
    STARLOG_ASSIGN_OR_RETURN(report, store->ComputeStateDigest(at));
  }
  const bool agrees = !report || report->total == head.state_digest;
  if (args.Has("json")) {
    io.out << DigestJson(at, head, report, agrees) << "\n";
  } else {
    io.out << "sequence      " << at << "\n"
           << "chain hash    " << head.chain_hash.ToHex() << "\n"
           << "state digest  " << head.state_digest.ToHex() << "\n";
    if (report) {
      io.out << "recomputed    " << report->total.ToHex() << (agrees ? "  (agrees)" : "  (DIFFERS)")
             << "\n\n";
      Table t({"INDEX", "LIVE ENTRIES", "DIGEST"});
      for (const auto& f : report->families) {
        t.AddRow({f.name, std::to_string(f.live_entries), f.digest.ToHex()});
      }
      t.Print(io.out);
    }
  }
  if (!agrees) {
    return Status::Corruption("the indexes' state digest " + report->total.ToHex() +
                              " differs from the one recorded at event " + std::to_string(at) +
                              "; run `starlog rebuild`");
  }
  return Status::OK();
}

}  // namespace

CommandSpec DigestCommand() {
  return {
      .name = "digest",
      .summary = "print sequence, chain hash and state digest (now or as of a point)",
      .description =
          "The chain hash H(n) proves which events a copy holds; the state digest (a sum of\n"
          "the hashes of every live index entry, recorded after each event) proves what state\n"
          "they produced. Two copies agreeing on both at a sequence hold the same history and\n"
          "state. --recompute sums the index entries afresh, per index family, and fails if\n"
          "they disagree with the record.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {AsOfOption(),
                  {"recompute", "", "recompute the digest from the indexes"},
                  JsonOption()},
      .examples = {"starlog digest repo", "starlog digest repo --as-of DM-1-inputs --recompute"},
      .run = Run,
  };
}

}  // namespace starlog::cli
