#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  service::DimensionRecordsQuery query;
  query.element = args.positional(1);
  STARLOG_ASSIGN_OR_RETURN(query.where, WhereTextFrom(args));
  STARLOG_ASSIGN_OR_RETURN(query.order.order_by, OrderByFrom(args));
  STARLOG_ASSIGN_OR_RETURN(const RowLimit limit, LimitFrom(args));
  query.order.limit = limit.rows;
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  FieldMapPrinter printer(reader->universe(), reader->universe().Find(query.element),
                          args.Has("json"), io);
  uint64_t rows = 0;
  STARLOG_RETURN_IF_ERROR(reader->ForEachDimensionRecord(query, [&](codec::FieldMap&& record) {
    if (++rows > limit.shown && limit.warn) return false;
    printer.Add(std::move(record));
    return true;
  }));
  printer.Finish();
  limit.Exceeded(rows, "query-dimension-records", "records", io);
  return Status::OK();
}

}  // namespace

CommandSpec QueryDimensionRecordsCommand() {
  return {
      .name = "query-dimension-records",
      .summary = "list the records of a dimension element",
      .description =
          "The records of ELEMENT (its keys and fields) that --where admits; a bare name\n"
          "in --where may be one of its fields (observation_type). In key order, or by\n"
          "--order-by: the element's fields (full_name, timespan.begin), its keys and\n"
          "what it implies (day_obs, band), fields of the records those name\n"
          "(exposure.day_obs, physical_filter.band), '-' before one for descending,\n"
          "records without a value last; a name the records lack is an error (exit 1).\n"
          "--limit N shows at most N records; -N (the default is -20000, as the\n"
          "butler's) at most N, with a warning on stderr when more match; 0 all of them.\n"
          "Without --order-by the scan stops at the last record shown. --json writes each\n"
          "record as it is read (a table waits for the last, for its column widths).",
      .positionals = {{"PATH", "repository folder"},
                      {"ELEMENT", "instrument, detector, exposure, ..."}},
      .options = {WhereOption(), BindOption(), OrderByOption("records"), LimitOption(),
                  AsOfOption(), ReadServiceOption(), JsonOption()},
      .examples = {"starlog query-dimension-records repo exposure --where "
                   "\"observation_type = bias\"",
                   "starlog query-dimension-records repo detector --where \"instrument = HSC\" "
                   "--order-by full_name --limit 5",
                   "starlog query-dimension-records repo exposure --order-by "
                   "-timespan.begin --limit -10"},
      .run = Run,
  };
}

}  // namespace starlog::cli
