#include <algorithm>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/glob.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto from, args.GetUint("from"));
  STARLOG_ASSIGN_OR_RETURN(auto limit, args.GetUint("limit"));
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  uint64_t first = from.value_or(1);
  if (auto since = args.Get("since")) {
    STARLOG_ASSIGN_OR_RETURN(int64_t t, AsUsageError(ParseTime(*since)));
    // The first event committed at or after "since".
    STARLOG_ASSIGN_OR_RETURN(uint64_t before, store->SequenceAtTime(t - 1));
    first = std::max(first, before + 1);
  }
  const auto actor = args.Get("actor");
  const auto collection = args.Get("collection");
  size_t shown = 0;
  const bool json = args.Has("json");
  const bool hashes = args.Has("hashes");
  Table table(hashes ? std::vector<std::string>{"SEQ", "TIME (UTC)", "ACTOR", "EVENT", "DETAILS",
                                                "CHAIN HASH"}
                     : std::vector<std::string>{"SEQ", "TIME (UTC)", "ACTOR", "EVENT", "DETAILS"});
  // The log read a slice at a time, each event printed (or dropped by the
  // filters) before the next slice is read: memory holds one slice, not the
  // log. A table keeps its formatted rows, for the column widths.
  constexpr size_t kSlice = 256;
  for (uint64_t next = first;;) {
    if (limit && shown >= *limit) break;
    STARLOG_ASSIGN_OR_RETURN(auto records, store->ReadLog(next, kSlice));
    if (records.empty()) break;
    next = records.back().sequence + 1;
    for (const engine::LogRecord& r : records) {
      auto event = codec::DecodeEventFrame(r.frame);
      if (!event.ok()) return event.status().WithContext("event " + std::to_string(r.sequence));
      // Either of the two users an event names: its actor, or who acted for them.
      if (actor && event->actor != *actor && event->via != *actor) continue;
      if (collection) {
        const auto named = codec::CollectionsNamed(event->body);
        if (std::none_of(named.begin(), named.end(),
                         [&](const std::string& c) { return engine::GlobMatch(*collection, c); })) {
          continue;
        }
      }
      // With filters, --limit counts the events shown, not those read.
      if (limit && shown >= *limit) break;
      ++shown;
      if (json) {
        io.out << LogRecordJson(*event, r) << "\n";  // One object per line.
        if (shown == 1) io.out.flush();
        continue;
      }
      std::vector<std::string> row = {
          std::to_string(r.sequence), codec::FormatIsoTime(event->commit_time_ns, 3),
          event->via.empty() ? event->actor : event->actor + " (via " + event->via + ")",
          std::string(codec::EventTypeName(event->type())), codec::DescribeEventBody(event->body)};
      if (hashes) row.push_back(r.chain_hash.ToHex());
      table.AddRow(std::move(row));
    }
  }
  if (!json) table.Print(io.out);
  return Status::OK();
}

}  // namespace

CommandSpec LogCommand() {
  return {
      .name = "log",
      .summary = "print the event log, verifying every frame and the hash chain",
      .description =
          "Reads events from --from on, checks each frame's checksum and the chain hash\n"
          "H(n) = XXH3-128(H(n-1) || frame(n)), and prints them. A damaged event stops the\n"
          "listing with an error naming its sequence. --json prints one object per line,\n"
          "each as it is read (the log is read a slice at a time, so memory stays bounded\n"
          "whatever its length); a table waits for its last row, for the column widths.\n"
          "--actor, --collection and --since answer \"who changed this, and when\".",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"from", "N", "first sequence to print (default: 1)"},
                  {"limit", "K", "print at most K events"},
                  {"hashes", "", "add the chain hash after each event"},
                  {"actor", "USER", "only events made by USER, or by USER for another (act-for)"},
                  {"collection", "C", "only events naming collection C (a glob)"},
                  {"since", "TIME", "only events committed at or after TIME (UTC)"},
                  JsonOption()},
      .examples = {"starlog log /data/repo --from 100 --limit 20",
                   "starlog log /data/repo --collection 'HSC/calib*' --since 2024-03-01T00:00:00Z",
                   "starlog log /data/repo --actor alice",
                   "starlog log /data/repo --json | jq .type"},
      .run = Run,
  };
}

}  // namespace starlog::cli
