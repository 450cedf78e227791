#include <chrono>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/replication/replica_files.h"
#include "starlog/replication/replication_status.h"

namespace starlog::cli {

namespace {

std::string Seconds(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f s", static_cast<double>(ns) / 1e9);
  return text;
}

std::string When(int64_t ns) {
  if (ns == 0) return "never";
  return codec::FormatIsoTime(ns, 0) + " UTC (" + Seconds(codec::NowUtcNs() - ns) + " ago)";
}

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  const engine::Head head = store->head();
  const std::string& root = args.positional(0);
  if (!store->is_replica()) {
    if (args.Has("json")) {
      io.out << PrimaryStatusJson(head) << "\n";
    } else {
      io.out << root << " is a primary repository at event " << head.sequence << "\n";
    }
    return Status::OK();
  }
  auto saved = replication::ReadReplicationStatus(root);
  if (!saved.ok() && !saved.status().IsNotFound()) return saved.status();
  replication::ReplicationStatus s = saved.ok() ? *saved : replication::ReplicationStatus{};
  // The store is the truth about our own head; the file may lag it a little.
  s.head = head.sequence;
  s.head_time_ns = head.commit_time_ns;
  // Files may be lost or damaged after they arrived: look, a stat per file.
  STARLOG_ASSIGN_OR_RETURN(auto files, replication::CheckWantedFiles(*store, /*contents=*/false));
  if (args.Has("json")) {
    io.out << ReplicaStatusJson(head, files, s) << "\n";
    return Status::OK();
  }
  io.out << "replica     " << root << " (repository " << store->repository_id().ToString() << ")\n";
  io.out << "primary     " << (s.primary.empty() ? "(never connected)" : s.primary) << ", "
         << (s.state.empty() ? "never run" : s.state) << "\n";
  io.out << "head        event " << s.head
         << (s.head_time_ns ? " committed " + codec::FormatIsoTime(s.head_time_ns, 0) + " UTC" : "")
         << "\n";
  io.out << "primary's   event " << s.primary_head << ", last heard " << When(s.last_contact_ns)
         << "\n";
  io.out << "lag         " << s.lag_events() << " events, " << Seconds(s.lag_ns()) << "\n";
  io.out << "files       " << (s.copy_files ? "" : "metadata only; ") << s.files_copied
         << " copied, " << s.bytes_copied << " bytes; checked through event " << s.files_through;
  if (!s.file_collections.empty()) {
    io.out << "; only for";
    for (const std::string& c : s.file_collections) io.out << " " << c;
  }
  io.out << "\n";
  io.out << "on disk     " << files.checked << " files wanted, " << files.missing << " missing, "
         << files.damaged << " damaged (by size; `starlog verify --files` reads them)\n";
  for (size_t i = 0; i < files.problems.size() && i < 10; ++i) {
    io.out << FileProblemLine(files.problems[i]) << "\n";
  }
  if (files.problems.size() > 10) io.out << "  ... and " << files.problems.size() - 10 << " more\n";
  for (const replication::FailedFile& f : s.failed_files) {
    // Paths and errors came from the primary: printed escaped.
    io.out << "  not copied: " << codec::Printable(f.artifact.path) << ": "
           << codec::Printable(f.error) << "\n";
  }
  io.out << "last error  "
         << (s.last_error.empty()
                 ? "none"
                 : codec::Printable(s.last_error) + ", at " + When(s.last_error_ns))
         << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec StatusCommand() {
  return {
      .name = "status",
      .summary = "a replica's primary, head, lag and last error",
      .description =
          "For a replica: the primary it replicates from and the state of replication\n"
          "(following, catching up, disconnected, refused), its head and the primary's\n"
          "as last heard, the lag in events and in commit-time seconds, the files copied\n"
          "and any that could not be, the files now missing or of the wrong size on disk\n"
          "(one stat per file), and the last error. Reads the status that\n"
          "`starlog replicate` keeps up to date while it runs. For a primary: its head.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {JsonOption()},
      .examples = {"starlog status /mirror/repo", "starlog status /mirror/repo --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
