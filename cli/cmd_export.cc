#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "starlog/ingest/bundle.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  auto to = args.Get("to");
  if (!to) return UsageError("give --to DIR (a new folder for the bundle)");
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  const std::string format = args.GetOr("format", "bundle");
  if (format != "bundle" && format != "butler") {
    return UsageError("unknown --format '" + format + "' (bundle, butler)");
  }
  std::vector<engine::DatasetQuery> queries;
  for (size_t i = 1; i < args.positional_count(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery query,
                             DatasetQueryFrom(args, args.positional(i)));
    // Every dataset of the collections, calibrations with every validity
    // range, as the butler's export takes them.
    query.find_first = false;
    queries.push_back(std::move(query));
  }
  if (format == "butler") {
    std::vector<engine::DatasetRef> refs;
    for (const engine::DatasetQuery& query : queries) {
      STARLOG_ASSIGN_OR_RETURN(auto found, view.QueryDatasets(query));
      refs.insert(refs.end(), std::make_move_iterator(found.begin()),
                  std::make_move_iterator(found.end()));
    }
    ingest::ButlerExportOptions options;
    const std::string mode = args.GetOr("transfer", "copy");
    auto transfer = ingest::TransferModeFromName(mode);
    if (!transfer) return UsageError("unknown transfer mode '" + mode + "'");
    options.transfer = *transfer;
    STARLOG_ASSIGN_OR_RETURN(options.collections, Collections(args));
    ingest::ButlerExportReport r;
    {
      Progress progress(io, "export", "files");
      options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
      STARLOG_ASSIGN_OR_RETURN(r, ingest::ExportButler(*store, view, refs, *to, options));
    }
    io.out << "exported " << r.datasets << " datasets (" << r.files << " files, " << r.bytes
           << " bytes), " << r.records << " dimension records, " << r.collections
           << " collections and " << r.associations << " memberships to " << *to
           << "/export.yaml\n";
    return Status::OK();
  }
  ingest::ExportOptions options;
  STARLOG_ASSIGN_OR_RETURN(options.collections, Collections(args));
  ingest::ExportReport report;
  {
    Progress progress(io, "export", "datasets");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    // The datasets streamed from the queries: the export sorts them in
    // bounded memory.
    const ingest::DatasetSource source = [&](const engine::RegistryView::DatasetFn& fn) {
      for (const engine::DatasetQuery& query : queries) {
        STARLOG_RETURN_IF_ERROR(view.ForEachDataset(query, fn));
      }
      return Status::OK();
    };
    STARLOG_ASSIGN_OR_RETURN(report, ingest::ExportBundle(*store, view, source, *to, options));
  }
  io.out << "exported " << report.datasets << " datasets (" << report.files << " files, "
         << report.bytes << " bytes), " << report.records << " dimension records, "
         << report.collections << " collections and " << report.memberships << " memberships to "
         << *to << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec ExportCommand() {
  return {
      .name = "export",
      .summary = "write the datasets a query finds, with records and files, to a bundle",
      .description =
          "A bundle is a folder: bundle.jsonl (JSON Lines, version 3: a header with the\n"
          "counts, then one entry a line: the dataset types, the collections, the chains,\n"
          "the dimension records the data IDs need, and each dataset's id, data ID, file\n"
          "size and XXH3-128 if it has a file, and its TAGGED and CALIBRATION memberships\n"
          "with their validity; a trailer line with the XXH3-128 of all before it) and\n"
          "files/ with the files at their repository paths. It is written a line at a\n"
          "time, the files copied as their datasets are written.\n"
          "Every dataset of the --collections is taken (calibrations with every validity\n"
          "range); the bundle holds their RUNs and the --collections themselves: a chain\n"
          "as a chain, with every collection it searches, and the exported datasets'\n"
          "memberships of the TAGGED and CALIBRATION ones (the butler's export-calibs).\n"
          "`starlog import` reads it into another repository.\n"
          "With --format butler, writes the Gen3 butler's layout instead: export.yaml (the\n"
          "records, the RUN collections, the --collections with chains, TAGGED and\n"
          "CALIBRATION memberships and validity) and the files at their paths, which\n"
          "`butler import` and `starlog import --format butler` read.\n"
          "On a terminal a progress line counts the datasets (or files) written; in a pipe\n"
          "there is none.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPES...", "dataset types to export", false, true}},
      .options = WithDatasetQueryOptions(
          {{"to", "DIR", "a new (or empty) folder for the bundle"},
           {"format", "FORMAT", "bundle (default) or butler (export.yaml, as butler export)"},
           {"transfer", "MODE", "butler: copy (default), hardlink, symlink or relsymlink"}}),
      .examples =
          {"starlog export repo bias flat --collections HSC/calib --to /transfer/calibs",
           "starlog export repo raw --collections HSC/raw/all --where \"exposure = 903334\" "
           "--to /transfer/903334",
           "starlog export repo bias flat --collections HSC/calib --format butler --to "
           "/transfer/calibs"},
      .run = Run,
  };
}

}  // namespace starlog::cli
