#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
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
  STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(args, io));
  STARLOG_ASSIGN_OR_RETURN(
      auto report, ingest::ImportBundle(*writer.store, args.positional(1), *transfer, writer.sink));
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
          "descriptors (see ingest --help), in parts of 128, still one edit.",
      .positionals = {{"PATH", "repository folder"}, {"BUNDLE", "a folder made by export"}},
      .options = {{"transfer", "MODE", "copy (default), move, hardlink, symlink or relsymlink"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog import /data/repo /transfer/903334 --transfer hardlink"},
      .run = Run,
  };
}

}  // namespace starlog::cli
