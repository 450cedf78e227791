#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/reader.h"
#include "cli/table.h"
#include "starlog/codec/time_format.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args, Reader::Mode::kInfo));
  STARLOG_ASSIGN_OR_RETURN(engine::RepositoryInfo info, reader->Info());
  if (args.Has("json")) {
    io.out << InfoJson(info) << "\n";
    return Status::OK();
  }
  io.out << "repository     " << info.repository_id.ToString() << "\n"
         << "root           " << info.root << "\n"
         << "format         " << info.format_version << "\n"
         << "head sequence  " << info.head.sequence << "\n"
         << "chain hash     " << info.head.chain_hash.ToHex() << "\n"
         << "state digest   " << info.head.state_digest.ToHex() << "\n"
         << "last commit    " << codec::FormatIsoTime(info.head.commit_time_ns) << "Z\n\n";
  Table t({"INDEX", "LIVE ENTRIES", "DIGEST"});
  for (const auto& f : info.families) {
    t.AddRow({f.name, std::to_string(f.live_entries), f.digest.ToHex()});
  }
  t.Print(io.out);
  return Status::OK();
}

}  // namespace

CommandSpec InfoCommand() {
  return {
      .name = "info",
      .summary = "show a repository's id, format, head and index counts",
      .description =
          "Prints the repository id, format version, head sequence, the chain hash\n"
          "H(head), the state digest, and per index family its live entries and\n"
          "sub-digest (two copies that disagree can be compared family by family).",
      .positionals = {{"PATH", "repository folder"}},
      .options = {ReadServiceOption(), JsonOption()},
      .examples = {"starlog info /data/repo", "starlog info /data/repo --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
