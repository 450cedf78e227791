#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/peer_options.h"
#include "starlog/codec/data_id.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/json_writer.h"
#include "starlog/codec/numbers.h"
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

// One side of an entry that differs, for a person.
std::string SideText(const std::optional<engine::ContentSide>& side) {
  if (!side) return "absent";
  std::string out;
  if (side->id) out = "dataset " + side->id->ToString();
  if (side->validity) out += " valid " + codec::TimespanToString(*side->validity);
  if (!side->detail.empty()) out += (out.empty() ? "" : ", ") + side->detail;
  return out;
}

std::string Where(const engine::ContentDifference& d) {
  std::string out = d.kind + " " + codec::Quoted(d.collection);
  if (!d.dataset_type.empty()) out += " " + d.dataset_type;
  if (!d.data_id.empty()) out += " {" + codec::FieldMapToString(d.data_id) + "}";
  return out;
}

void WriteSideJson(const std::optional<engine::ContentSide>& side, codec::JsonWriter& w) {
  if (!side) {
    w.Null();
    return;
  }
  w.BeginObject();
  if (side->id) w.Key("id").String(side->id->ToString());
  if (side->validity) w.Key("validity").String(codec::TimespanToString(*side->validity));
  if (!side->detail.empty()) w.Key("detail").String(side->detail);
  w.EndObject();
}

void WriteContentJson(const engine::ContentReport& r, codec::JsonWriter& w) {
  w.Key("agree").Bool(r.agree);
  w.Key("local_head").Uint(r.here_head);
  w.Key("other_head").Uint(r.there_head);
  w.Key("families").BeginArray();
  for (const std::string& f : r.families) w.String(f);
  w.EndArray();
  w.Key("partitions").BeginArray();
  for (const engine::PartDifference& p : r.parts) {
    w.BeginObject();
    w.Key(p.record ? "element" : "collection").String(p.collection);
    if (!p.record) w.Key("dataset_type").String(p.dataset_type);
    w.Key("local_entries").Int(p.here_entries).Key("other_entries").Int(p.there_entries);
    w.EndObject();
  }
  w.EndArray();
  w.Key("differing_partitions").Uint(r.differing_parts);
  w.Key("differences").Uint(r.differences);
  w.Key("entries").BeginArray();
  for (const engine::ContentDifference& d : r.entries) {
    w.BeginObject().Key("kind").String(d.kind).Key("collection").String(d.collection);
    if (!d.dataset_type.empty()) w.Key("dataset_type").String(d.dataset_type);
    if (!d.data_id.empty()) w.Key("data_id").String(codec::FieldMapToString(d.data_id));
    w.Key("local");
    WriteSideJson(d.here, w);
    w.Key("other");
    WriteSideJson(d.there, w);
    w.EndObject();
  }
  w.EndArray();
  if (r.here_scanned || r.there_scanned) w.Key("scanned").Bool(true);
  w.Key("notes").BeginArray();
  for (const std::string& n : r.notes) w.String(n);
  w.EndArray();
}

void PrintContent(const engine::ContentReport& r, Io& io) {
  for (const auto& [scanned, side] :
       {std::pair{r.here_scanned, "this copy"}, std::pair{r.there_scanned, "the other"}}) {
    if (scanned) {
      io.out << side << " kept no content digests (written before them): computed by a scan\n";
    }
  }
  if (r.agree) {
    io.out << "contents agree (heads " << r.here_head << " and " << r.there_head
           << "; snapshots and record ordinals not compared)\n";
    return;
  }
  io.out << "DISAGREE:";
  if (!r.families.empty()) {
    io.out << " families";
    for (const std::string& f : r.families) io.out << " " << f;
    io.out << ";";
  }
  io.out << " " << r.differing_parts << " collection or element digests differ, " << r.differences
         << " entries\n";
  for (const engine::PartDifference& p : r.parts) {
    io.out << "  " << (p.record ? "element " : "collection ") << codec::Quoted(p.collection)
           << (p.record ? "" : " " + p.dataset_type) << ": " << p.here_entries << " entries here, "
           << p.there_entries << " there\n";
  }
  if (r.differing_parts > r.parts.size()) {
    io.out << "... and " << r.differing_parts - r.parts.size() << " more collections or elements\n";
  }
  for (const engine::ContentDifference& d : r.entries) {
    if (!d.here) {
      io.out << "only in the other: " << Where(d) << ": " << SideText(d.there) << "\n";
    } else if (!d.there) {
      io.out << "only here: " << Where(d) << ": " << SideText(d.here) << "\n";
    } else {
      io.out << "differs: " << Where(d) << ": here " << SideText(d.here) << " | other "
             << SideText(d.there) << "\n";
    }
  }
  if (r.differences > r.entries.size()) {
    io.out << "... and " << r.differences - r.entries.size() << " more (--limit N shows more)\n";
  }
  for (const std::string& n : r.notes) io.out << "note: " << n << "\n";
}

Status Run(const ParsedArgs& args, Io& io) {
  auto against = args.Get("against");
  const bool files = args.Has("files");
  if (!against && !files) return UsageError("give --against HOST:PORT or PATH");
  const bool content = args.Has("content");
  if (content && !against) return UsageError("--content needs --against HOST:PORT or PATH");
  if (content && args.Has("recompute")) {
    return UsageError(
        "--content compares contents; --recompute checks a log's digest: one or the other");
  }
  size_t limit = 20;
  if (auto text = args.Get("limit")) {
    const std::optional<uint64_t> n = codec::ParseUint(*text);
    if (!content) return UsageError("--limit goes with --content");
    if (!n || *n > 1'000'000)
      return UsageError("--limit takes a count up to 1000000, not '" + *text + "'");
    limit = static_cast<size_t>(*n);
  }
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  const bool json = args.Has("json");
  codec::JsonWriter w;
  w.BeginObject();
  Status verdict;
  if (against) {
    replication::VerifyOptions options;
    options.recompute = args.Has("recompute");
    options.content = content;
    options.content_options.limit = limit;
    if (args.Has("key")) {
      STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
    }
    options.tls = Tls(args);
    STARLOG_ASSIGN_OR_RETURN(auto r, replication::Verify(*store, *against, options));
    if (r.content) {
      if (json) {
        WriteContentJson(*r.content, w);
      } else {
        PrintContent(*r.content, io);
      }
    } else if (json) {
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
          "missing and damaged ones listed; --files alone checks only that.\n"
          "\n"
          "With --content the other is a repository of any lineage (built apart, the\n"
          "same datasets registered in another order, imported), a folder or a\n"
          "`starlog serve` (HOST:PORT with --key, read as of one point): their\n"
          "contents are compared instead of their logs, by the family digests and the\n"
          "digests each repository keeps per collection and dataset type (datasets and\n"
          "their files, tags, calibrations with validity) and per dimension element;\n"
          "only what differs is read, and the entries that differ are named (the first\n"
          "--limit, all counted). Snapshots and the order records came in are not\n"
          "compared. Exit status 0 only when the copies agree and (with --files) every\n"
          "file is intact, 1 when they differ.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"against", "HOST:PORT|PATH", "the other copy"},
                  KeyOption(),
                  TlsCaOption(),
                  {"recompute", "", "recompute this copy's state digest from its indexes"},
                  {"files", "", "check this copy's files by size and XXH3-128 (reads them all)"},
                  {"content", "", "compare contents with a repository of any lineage"},
                  {"limit", "N", "with --content: name at most N entries (default 20)"},
                  JsonOption()},
      .examples = {"starlog verify /mirror/repo --against 127.0.0.1:7650 --key key",
                   "starlog verify /mirror/repo --against /data/repo --recompute",
                   "starlog verify /mirror/repo --files",
                   "starlog verify /data/repo --content --against /summit/repo --limit 50",
                   "starlog verify /data/repo --content --against summit:7650 --key key"},
      .run = Run,
  };
}

}  // namespace starlog::cli
