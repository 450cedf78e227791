#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& type = args.positional(1);
  STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
  STARLOG_ASSIGN_OR_RETURN(auto time, TimeSpanOption(args));
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  STARLOG_ASSIGN_OR_RETURN(auto data_id, reader->universe().ParseFields(args.GetOr("data-id", "")));
  STARLOG_ASSIGN_OR_RETURN(auto ref, reader->FindDataset(type, data_id, collections, time));
  PrintDatasets({ref}, reader->universe(), args.Has("json"), io);
  return Status::OK();
}

}  // namespace

CommandSpec FindDatasetCommand() {
  return {
      .name = "find-dataset",
      .summary = "find the one dataset a data ID resolves to along a search path",
      .description =
          "The first match along --collections; in a CALIBRATION collection, the dataset\n"
          "valid at --time. Finding nothing is an error that lists the collections searched.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPE", "a dataset type (or type.component)"}},
      .options = {{"data-id", "K=V,...",
                   "the data ID, e.g. instrument=HSC,exposure=903334,detector=50"},
                  CollectionsOption(),
                  TimeOption(),
                  TimespanOption(),
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog find-dataset repo bias --data-id instrument=HSC,detector=50 "
                   "--collections HSC/calib --time 2024-03-01T12:00:00"},
      .run = Run,
  };
}

}  // namespace starlog::cli
