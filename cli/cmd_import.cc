#include "cli/butler_format.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/import_report.h"
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
  ingest::ImportOptions options;
  options.mode = *transfer;
  options.dry_run = args.Has("dry-run");
  ingest::ImportReport r;
  {
    // A bundle.jsonl counts its datasets twice: checked, then imported (a
    // bundle.json counts its files checked).
    Progress progress(io, "import", "datasets checked then imported");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    STARLOG_ASSIGN_OR_RETURN(
        r, ingest::ImportBundle(*writer.store, args.positional(1), options, writer.sink));
  }
  PrintImportReport(io, r, options.dry_run, "import", "imported");
  return Status::OK();
}

}  // namespace

CommandSpec ImportCommand() {
  return {
      .name = "import",
      .summary = "read a bundle made by export: datasets, records and verified files",
      .description =
          "Checks the bundle before changing anything: bundle.jsonl's checksum (a truncated\n"
          "or altered bundle is refused), every line (a bad one is named, as \"bundle line\n"
          "12: ...\"), every rule against the repository, and every file against its\n"
          "recorded size and XXH3-128 (a mismatch names the file). Then it adds what the\n"
          "repository lacks: the dataset types, collections, dimension records, the\n"
          "datasets under their own ids (files placed at the same relative paths), TAGGED\n"
          "memberships and certifications with their validity, chains last. A bundle.jsonl\n"
          "is read a line at a time and appended in batches of about 10,000 datasets, each\n"
          "one atomic write; if the import stops between two, importing again adds the\n"
          "rest (a bundle.json, versions 1 and 2, in one write). Importing twice adds\n"
          "nothing. A bundle that contradicts the\n"
          "repository (a dataset id with another file, a chain with other children, a\n"
          "certification overlapping one there, a type defined otherwise) is refused,\n"
          "naming it, and nothing changes. --dry-run checks all of it and prints the\n"
          "counts per kind, added and already there, changing nothing.\n"
          "\n"
          "With a service running for the repository, the files go to it as open\n"
          "descriptors (see ingest --help), in parts of 128, still one edit.\n"
          "With --format butler, reads a Gen3 butler export (export.yaml and its files:\n"
          "see the README's \"The butler's export format\") in one atomic write.\n"
          "On a terminal a progress line counts the datasets checked then imported (a\n"
          "bundle.jsonl), the files checked (a bundle.json) or placed (butler); in a pipe\n"
          "there is none.",
      .positionals = {{"PATH", "repository folder"}, {"BUNDLE", "a folder made by export"}},
      .options = {{"transfer", "MODE", "copy (default), move, hardlink, symlink or relsymlink"},
                  {"format", "FORMAT",
                   "bundle (default) or butler (a butler export folder or export.yaml)"},
                  {"skip-dimensions", "ELEMENTS",
                   "butler: leave these elements' records out (comma-separated)"},
                  {"drop-unknown-fields", "",
                   "butler: leave out record fields the universe lacks (counted)"},
                  {"no-files", "", "butler: register the datasets without their files"},
                  {"dry-run", "", "say what would be added and what is there, change nothing"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog import /data/repo /transfer/903334 --transfer hardlink",
                   "starlog import /data/repo /transfer/calibs --dry-run",
                   "starlog import /data/repo /transfer/calibs --format butler --dry-run"},
      .run = Run,
  };
}

}  // namespace starlog::cli
