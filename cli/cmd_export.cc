#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/ingest/bundle.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  auto to = args.Get("to");
  if (!to) return UsageError("give --to DIR (a new folder for the bundle)");
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  std::vector<engine::DatasetRef> refs;
  for (size_t i = 1; i < args.positional_count(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery query,
                             DatasetQueryFrom(args, args.positional(i)));
    STARLOG_ASSIGN_OR_RETURN(auto found, view.QueryDatasets(query));
    refs.insert(refs.end(), found.begin(), found.end());
  }
  STARLOG_ASSIGN_OR_RETURN(auto report, ingest::ExportBundle(*store, view, refs, *to));
  io.out << "exported " << report.datasets << " datasets (" << report.files << " files, "
         << report.bytes << " bytes) and " << report.records << " dimension records to " << *to
         << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec ExportCommand() {
  return {
      .name = "export",
      .summary = "write the datasets a query finds, with records and files, to a bundle",
      .description =
          "A bundle is a folder: bundle.json (the dataset types, RUN collections, the\n"
          "dimension records the data IDs need, and each dataset's id, data ID and file\n"
          "size and XXH3-128) and files/ with the files at their repository paths.\n"
          "`starlog import` reads it into another repository.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPES...", "dataset types to export", false, true}},
      .options = WithDatasetQueryOptions({{"to", "DIR", "a new (or empty) folder for the bundle"}}),
      .examples =
          {"starlog export repo raw --collections HSC/raw/all --where \"exposure = 903334\" "
           "--to /transfer/903334"},
      .run = Run,
  };
}

}  // namespace starlog::cli
