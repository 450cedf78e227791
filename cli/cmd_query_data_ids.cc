#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  service::DataIdsQuery query;
  query.dimensions.assign(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(query.where, WhereTextFrom(args));
  if (auto type = args.Get("datasets")) {
    STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
    // Which datasets exist, not which one a lookup would pick: every
    // certification counts, as in the butler's queryDataIds (find-first
    // over a CALIBRATION collection without a time can be ambiguous).
    query.datasets = service::DatasetsQuery{*type, collections, {}, false, std::nullopt};
  }
  STARLOG_ASSIGN_OR_RETURN(query.order.order_by, OrderByFrom(args));
  STARLOG_ASSIGN_OR_RETURN(const RowLimit limit, LimitFrom(args));
  query.order.limit = limit.rows;
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  FieldMapPrinter printer(reader->universe(), nullptr, args.Has("json"), io);
  uint64_t rows = 0;
  STARLOG_RETURN_IF_ERROR(reader->ForEachDataId(query, [&](codec::FieldMap&& row) {
    if (++rows > limit.shown && limit.warn) return false;
    printer.Add(std::move(row));
    return true;
  }));
  printer.Finish();
  limit.Exceeded(rows, "query-data-ids", "data IDs", io);
  return Status::OK();
}

}  // namespace

CommandSpec QueryDataIdsCommand() {
  return {
      .name = "query-data-ids",
      .summary = "list data IDs over dimensions, from records or from datasets",
      .description =
          "Without --datasets, data IDs are the combinations of dimension records\n"
          "that --where admits; with --datasets TYPE --collections C, those of the\n"
          "datasets found there. Implied dimensions take the value their record names\n"
          "(an exposure's physical_filter), and every row shows its implied values after\n"
          "the required ones; \"visit exposure\" joins through visit_definition, each\n"
          "visit with its own exposures (define-visits). The records are joined a\n"
          "dimension at a time, each term of --where's top-level AND tried as soon as\n"
          "what it reads is there, and a key --where pins (exposure = 7, exposure IN\n"
          "(7, 9)) is read by key, not scanned: the work follows the rows answered, not\n"
          "the product of the records.\n"
          "--order-by orders the rows by keys (detector, or detector.id), implied\n"
          "dimensions (band) and record fields (detector.full_name, exposure.day_obs,\n"
          "exposure.timespan.begin; a bare field when one element of the data IDs alone\n"
          "has it), '-' before one for descending, rows without a value last; without\n"
          "it, key order. A name the data IDs lack is an error (exit 1). --limit N shows\n"
          "at most N rows; -N (the default is -20000, as the butler's) at most N, with a\n"
          "warning on stderr when more match; 0 all of them. Without --order-by the query\n"
          "stops at the last row shown (one more, to warn). --json writes each row as it\n"
          "is found (a table waits for the last row, for its column widths; --order-by\n"
          "holds every row to sort them; through a service the answer arrives whole first).",
      .positionals = {{"PATH", "repository folder"},
                      {"DIMENSIONS...", "dimensions of the data IDs", false, true}},
      .options = {WhereOption(),
                  BindOption(),
                  {"datasets", "TYPE", "data IDs of datasets of TYPE in --collections"},
                  CollectionsOption(),
                  OrderByOption("data IDs"),
                  LimitOption(),
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog query-data-ids repo exposure detector --where "
                   "\"exposure.observation_type = science\"",
                   "starlog query-data-ids repo exposure --datasets raw --collections HSC/raw/all",
                   "starlog query-data-ids repo visit exposure --where \"visit = 903334\"",
                   "starlog query-data-ids repo detector --where \"instrument = HSC\" "
                   "--order-by full_name --limit 5",
                   "starlog query-data-ids repo exposure --order-by "
                   "-exposure.timespan.begin,exposure --limit 10"},
      .run = Run,
  };
}

}  // namespace starlog::cli
