#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto where, WhereTextFrom(args));
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  STARLOG_ASSIGN_OR_RETURN(auto records, reader->QueryDimensionRecords(args.positional(1), where));
  PrintFieldMaps(records, reader->universe(), reader->universe().Find(args.positional(1)),
                 args.Has("json"), io);
  return Status::OK();
}

}  // namespace

CommandSpec QueryDimensionRecordsCommand() {
  return {
      .name = "query-dimension-records",
      .summary = "list the records of a dimension element",
      .description = "",
      .positionals = {{"PATH", "repository folder"},
                      {"ELEMENT", "instrument, detector, exposure, ..."}},
      .options = {WhereOption(), BindOption(), AsOfOption(), ReadServiceOption(), JsonOption()},
      .examples = {"starlog query-dimension-records repo exposure --where "
                   "\"observation_type = bias\""},
      .run = Run,
  };
}

}  // namespace starlog::cli
