#include <algorithm>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/import_report.h"
#include "cli/progress.h"
#include "cli/reader.h"
#include "starlog/ingest/repository_transfer.h"

namespace starlog::cli {

namespace {

Result<ingest::TransferMode> ModeFrom(const ParsedArgs& args) {
  const std::string mode = args.GetOr("transfer", "auto");
  // The butler's auto: a copy, for files on a local file system.
  if (mode == "auto") return ingest::TransferMode::kCopy;
  auto transfer = ingest::TransferModeFromName(mode);
  if (!transfer || *transfer == ingest::TransferMode::kMove ||
      *transfer == ingest::TransferMode::kDirect) {
    return UsageError("unknown transfer mode '" + mode +
                      "' (auto, copy, hardlink, symlink, relsymlink: the source keeps its files)");
  }
  return *transfer;
}

Status Run(const ParsedArgs& args, Io& io) {
  if (args.Has("find-first") && args.Has("find-all")) {
    return UsageError("give --find-first or --find-all, not both");
  }
  if (args.Has("transfer-dimensions") && args.Has("no-transfer-dimensions")) {
    return UsageError("give --transfer-dimensions or --no-transfer-dimensions, not both");
  }
  STARLOG_ASSIGN_OR_RETURN(const ingest::TransferMode mode, ModeFrom(args));
  STARLOG_ASSIGN_OR_RETURN(service::DatasetSearchQuery wanted, DatasetSearchFrom(args, 2, 0));
  // The butler's spelling: --dataset-type, repeatable, comma-separated.
  for (const std::string& value : args.GetAll("dataset-type")) {
    for (size_t from = 0; from <= value.size();) {
      const size_t comma = std::min(value.find(',', from), value.size());
      if (comma > from) wanted.dataset_types.push_back(value.substr(from, comma - from));
      from = comma + 1;
    }
  }
  // Every dataset of the collections, as the butler's transfer-datasets
  // takes them unless --find-first.
  wanted.query.find_first = args.Has("find-first");
  STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch search, AsUsageError(service::ToEngine(wanted)));
  ingest::TransferOptions options;
  options.mode = mode;
  STARLOG_ASSIGN_OR_RETURN(options.collections, Collections(args));
  options.register_dataset_types = args.Has("register-dataset-types");
  options.transfer_dimensions = !args.Has("no-transfer-dimensions");
  options.dry_run = args.Has("dry-run");

  STARLOG_ASSIGN_OR_RETURN(auto source, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *source));
  STARLOG_ASSIGN_OR_RETURN(std::vector<engine::DatasetRef> refs, view.QueryDatasets(search));
  // DEST is written as import writes a repository: through its service if
  // one runs (or --service names one), else in this process.
  ParsedArgs dest_args = args;
  dest_args.DropFirstPositional();
  STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(dest_args, io));
  ingest::ImportReport r;
  {
    Progress progress(io, "transfer", "files checked");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    STARLOG_ASSIGN_OR_RETURN(
        r, ingest::TransferDatasets(*source, view, refs, *writer.store, options, writer.sink));
  }
  PrintImportReport(io, r, options.dry_run, "transfer", "transferred");
  return Status::OK();
}

}  // namespace

CommandSpec TransferCommand() {
  return {
      .name = "transfer",
      .aliases = {"transfer-datasets"},
      .summary = "add datasets of one repository to another, with records and verified files",
      .description =
          "The butler's transfer-datasets. Finds the datasets of each DATASET_TYPE (names\n"
          "or globs; none: every type) in SOURCE's --collections (every match, as the\n"
          "butler's; --find-first keeps the first per data ID) and adds them to DEST under\n"
          "their own ids with what a bundle would carry (see export --help), without one\n"
          "on disk: their dataset types, the dimension records their data IDs need, their\n"
          "RUNs, and for the --collections themselves chains and the datasets' TAGGED and\n"
          "CALIBRATION memberships with their validity. Each file goes from SOURCE's root\n"
          "to the same path under DEST's (--transfer: auto, the default, copies).\n"
          "Every file is read and checked against the size and XXH3-128 SOURCE records,\n"
          "and every path against DEST's root, before anything changes: a file that does\n"
          "not match names itself and nothing is transferred. DEST gets it all in one\n"
          "atomic write or nothing; a second transfer adds nothing; what DEST holds\n"
          "otherwise (a dataset id with other content, a chain with other children, an\n"
          "overlapping certification, a file at a path) is refused, naming it.\n"
          "A dataset type DEST lacks is refused unless --register-dataset-types;\n"
          "--no-transfer-dimensions sends no records, and each one needed must be in DEST.\n"
          "--dry-run checks all of it and prints the counts, changing nothing.\n"
          "--as-of reads SOURCE as of a past point. With a service running for DEST (or\n"
          "--service naming it), the files go to it as open descriptors, as import's do.",
      .positionals = {{"SOURCE", "repository folder to read"},
                      {"DEST", "repository folder to add to"},
                      {"DATASET_TYPE...", "dataset types or glob patterns; none: every type", true,
                       true}},
      .options = WithDatasetQueryOptions(
          {{"dataset-type", "T[,T...]",
            "dataset types or globs, as the butler spells them (with DATASET_TYPE...)", true},
           {"find-first", "", "only the first match per data ID along the collections"},
           {"find-all", "", "every match along the collections (the default)"},
           {"transfer",
            "MODE",
            "auto (default: copy), copy, hardlink, symlink or relsymlink",
            false,
            1,
            {"auto", "copy", "hardlink", "symlink", "relsymlink"},
            't'},
           {"register-dataset-types", "", "register the dataset types DEST lacks"},
           {"transfer-dimensions", "", "send the dimension records DEST lacks (the default)"},
           {"no-transfer-dimensions", "", "send no records: DEST must have them"},
           {"dry-run", "", "say what would be added and what is there, change nothing"},
           UserOption(),
           NoSyncOption()}),
      .examples = {"starlog transfer /data/repo /summit/repo bias flat --collections HSC/calib "
                   "--register-dataset-types",
                   "starlog transfer /data/repo /scratch/repo raw --collections HSC/raw/all "
                   "--where \"exposure = 903334\" --transfer hardlink --dry-run"},
      .run = Run,
  };
}

}  // namespace starlog::cli
