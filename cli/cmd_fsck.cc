#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "starlog/ingest/fsck.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const bool fix = args.Has("fix");
  // Read-only, beside any writer: only the repair, one edit, needs one.
  STARLOG_ASSIGN_OR_RETURN(std::unique_ptr<engine::EventStore> store, OpenForRead(args));
  ingest::FsckReport report;
  {
    Progress progress(io, "fsck", "files");
    STARLOG_ASSIGN_OR_RETURN(
        report, ingest::CheckFiles(*store, [&](uint64_t d, uint64_t t) { progress.Update(d, t); }));
  }
  uint64_t fixed_event = 0;
  if (fix) {
    if (auto detach = ingest::DetachMissing(report)) {
      STARLOG_ASSIGN_OR_RETURN(auto result,
                               Submit(args, io, engine::AppendEdit{{std::move(*detach)}}));
      fixed_event = result.head.sequence;
      std::erase_if(report.problems, [](const engine::FileProblem& p) {
        return p.kind == engine::FileProblem::Kind::kMissing;
      });
    }
  }
  if (args.Has("json")) {
    io.out << FsckJson(report, fixed_event) << "\n";
  } else {
    io.out << "checked " << report.files_checked << " files (" << report.bytes_checked
           << " bytes intact) against the registry as of event " << report.sequence << "\n";
    if (fixed_event != 0) {
      io.out << "detached the files of datasets whose files are missing (event " << fixed_event
             << ")\n";
    }
    if (!report.problems.empty()) {
      Table table({"PROBLEM", "PATH", "DATASET", "DETAIL"});
      for (const auto& p : report.problems) {
        table.AddRow({std::string(engine::FileProblemName(p.kind)), p.artifact.path,
                      p.id.ToString(), p.detail});
      }
      table.Print(io.out);
    }
    for (const auto& u : report.unowned) io.out << "not owned by any dataset: " << u << "\n";
    if (report.clean()) io.out << "every file is present and intact; none is unowned\n";
  }
  if (!report.clean()) {
    return Status::Conflict(std::to_string(report.problems.size()) + " problem files, " +
                            std::to_string(report.unowned.size()) + " unowned files");
  }
  return Status::OK();
}

}  // namespace

CommandSpec FsckCommand() {
  return {
      .name = "fsck",
      .summary = "check every dataset's file, and list files no dataset owns",
      .description =
          "Reads every file the registry records and checks it is there, of the recorded\n"
          "size and XXH3-128; lists the files under the root (outside .starlog/) that no\n"
          "dataset owns, such as leftovers of interrupted copies. Exit status 1 when\n"
          "anything is wrong. --fix does only what is safe, as an event: it detaches the\n"
          "files of datasets whose files are missing. Altered files and unowned files are\n"
          "left for a person (ingest them with --transfer direct, or remove them).",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"fix", "", "detach missing files from their datasets (one event)"},
                  UserOption(),
                  NoSyncOption(),
                  JsonOption()},
      .examples = {"starlog fsck /data/repo", "starlog fsck /data/repo --fix --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
