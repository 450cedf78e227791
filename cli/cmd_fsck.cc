#include <algorithm>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/ingest_options.h"
#include "cli/json_output.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "starlog/ingest/fsck.h"
#include "starlog/service/protocol.h"

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
  std::optional<ingest::IngestReport> ingested;
  if (args.Has("ingest-unregistered")) {
    STARLOG_ASSIGN_OR_RETURN(ingest::IngestOptions options, TranslatorOptionsFromArgs(args));
    options.batch_size = std::min(options.batch_size, service::kMaxDescriptorsPerMessage);
    if (!report.unowned.empty()) {
      store.reset();  // The writer below reads the registry afresh.
      // Through the service each file goes as a descriptor of the very file
      // under the root, as ingest --transfer direct sends it.
      STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(args, io));
      Progress progress(io, "ingest", "files");
      options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
      STARLOG_ASSIGN_OR_RETURN(ingested,
                               ingest::IngestUnowned(*writer.store, &report, options, writer.sink));
    } else {
      ingested.emplace();
    }
  } else {
    for (const char* option : {"run", "translator", "instrument", "dataset-type", "corrections",
                               "misc", "update-records"}) {
      if (args.Has(option)) {
        return UsageError("--" + std::string(option) + " goes with --ingest-unregistered");
      }
    }
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
    std::string json = FsckJson(report, fixed_event);
    if (ingested) {
      // One object: fsck's, with the ingest's report under "ingested".
      json.pop_back();
      json += ",\"ingested\":" + IngestJson(*ingested) + "}";
    }
    io.out << json << "\n";
  } else {
    io.out << "checked " << report.files_checked << " files (" << report.bytes_checked
           << " bytes intact) against the registry as of event " << report.sequence << "\n";
    if (fixed_event != 0) {
      io.out << "detached the files of datasets whose files are missing (event " << fixed_event
             << ")\n";
    }
    if (ingested) {
      io.out << "ingested " << ingested->ingested << " of " << ingested->files
             << " unregistered files in place";
      if (ingested->datasets != ingested->ingested) {
        io.out << " as " << ingested->datasets << " datasets";
      }
      if (ingested->last_event != 0) {
        io.out << ", events " << ingested->first_event << "-" << ingested->last_event;
      }
      io.out << "\n";
      for (const auto& s : ingested->skipped) {
        io.out << "not ingested " << s.file << ": " << s.reason << "\n";
      }
    }
    if (!report.problems.empty()) {
      Table table({"PROBLEM", "PATH", "DATASET", "DETAIL"});
      for (const auto& p : report.problems) {
        table.AddRow({std::string(engine::FileProblemName(p.kind)),
                      codec::ArtifactLocation(p.artifact), p.id.ToString(), p.detail});
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
          "left for a person, or, with --ingest-unregistered, the unowned files are\n"
          "ingested where they are (transfer direct) by the translators --translator and\n"
          "--instrument name (default: every built-in one) into --run, as ingest does;\n"
          "those no translator recognises stay listed (or go to --misc DIR). Through the\n"
          "repository's service each file is handed over as a descriptor, as ingest\n"
          "--transfer direct does; the repair of --fix goes as an edit.",
      .positionals = {{"PATH", "repository folder"}},
      .options = TranslatorOptionSpecs(
          {{"fix", "", "detach missing files from their datasets (one event)"},
           {"ingest-unregistered", "",
            "ingest the files no dataset owns in place, by the translator options"},
           UserOption(),
           NoSyncOption(),
           JsonOption()}),
      .examples = {"starlog fsck /data/repo", "starlog fsck /data/repo --fix --json",
                   "starlog fsck /data/repo --ingest-unregistered --run HSC/raw/all --instrument "
                   "HSC --misc /data/repo/misc"},
      .run = Run,
  };
}

}  // namespace starlog::cli
