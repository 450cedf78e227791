#include "cli/butler_format.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/progress.h"
#include "starlog/ingest/bundle.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string mode = args.GetOr("transfer", "copy");
  auto transfer = ingest::TransferModeFromName(mode);
  if (!transfer) {
    return UsageError("unknown transfer mode '" + mode +
                      "' (copy, move, hardlink, symlink, relsymlink)");
  }
  const std::string format = args.GetOr("format", "bundle");
  if (format == "butler") return RunButlerImport(args, io, *transfer);
  if (format != "bundle") return UsageError("unknown --format '" + format + "' (bundle, butler)");
  STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(args, io));
  ingest::ImportReport report;
  {
    Progress progress(io, "import", "files checked");
    STARLOG_ASSIGN_OR_RETURN(
        report,
        ingest::ImportBundle(*writer.store, args.positional(1), *transfer, writer.sink,
                             [&](uint64_t done, uint64_t total) { progress.Update(done, total); }));
  }
  io.out << "imported " << report.datasets << " datasets";
  if (report.last_event != 0) {
    io.out << " (events " << report.first_event << "-" << report.last_event << ")";
  }
  io.out << "; " << report.records_inserted << " dimension records inserted";
  if (report.already_present > 0) io.out << "; " << report.already_present << " already there";
  io.out << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec ImportCommand() {
  return {
      .name = "import",
      .summary = "read a bundle made by export: datasets, records and verified files",
      .description =
          "Checks every file of the bundle against its recorded size and XXH3-128 before\n"
          "changing anything (a mismatch names the file and imports nothing), then\n"
          "registers the dataset types, RUN collections and dimension records the\n"
          "repository lacks, places the files at the same relative paths, and registers\n"
          "the datasets under their own ids: importing twice adds nothing.\n"
          "\n"
          "With a service running for the repository, the files go to it as open\n"
          "descriptors (see ingest --help), in parts of 128, still one edit.\n"
          "With --format butler, reads a Gen3 butler export (export.yaml and its files:\n"
          "see the README's \"The butler's export format\") in one atomic write.\n"
          "On a terminal a progress line counts the files checked (a bundle) or placed\n"
          "(butler); in a pipe there is none.",
      .positionals = {{"PATH", "repository folder"}, {"BUNDLE", "a folder made by export"}},
      .options = {{"transfer", "MODE", "copy (default), move, hardlink, symlink or relsymlink"},
                  {"format", "FORMAT",
                   "bundle (default) or butler (a butler export folder or export.yaml)"},
                  {"skip-dimensions", "ELEMENTS",
                   "butler: leave these elements' records out (comma-separated)"},
                  {"drop-unknown-fields", "",
                   "butler: leave out record fields the universe lacks (counted)"},
                  {"no-files", "", "butler: register the datasets without their files"},
                  {"dry-run", "", "butler: say what would be added, change nothing"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog import /data/repo /transfer/903334 --transfer hardlink",
                   "starlog import /data/repo /transfer/calibs --format butler --dry-run"},
      .run = Run,
  };
}

}  // namespace starlog::cli
