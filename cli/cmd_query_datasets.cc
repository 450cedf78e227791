#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(const RowLimit limit, LimitFrom(args));
  STARLOG_ASSIGN_OR_RETURN(service::DatasetSearchQuery search,
                           DatasetSearchFrom(args, 1, limit.rows));
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  DatasetPrinter printer(reader->universe(), args.Has("json"), io);
  uint64_t rows = 0;
  STARLOG_RETURN_IF_ERROR(reader->ForEachSearched(search, [&](engine::DatasetRef&& ref) {
    if (++rows > limit.shown && limit.warn) return false;
    printer.Add(std::move(ref));
    return true;
  }));
  printer.Finish();
  limit.Exceeded(rows, "query-datasets", "datasets", io);
  return Status::OK();
}

}  // namespace

CommandSpec QueryDatasetsCommand() {
  return {
      .name = "query-datasets",
      .summary = "list the datasets of some types in collections (find-first by default)",
      .description =
          "The datasets of each DATASET_TYPE (names, type.component, or glob patterns such\n"
          "as '*' or 'cal*'; none: every type), one table per type, the types by name (in\n"
          "--json one array, each row naming its dataset_type). Searches --collections in\n"
          "order (chains expanded, globs matched) and keeps the first dataset per data ID,\n"
          "unless --find-all. --where constrains data ID values, implied dimensions (band,\n"
          "physical_filter) and record fields (exposure.observation_type) in the butler's\n"
          "language: AND, OR, NOT, parentheses, IN (1, 5..9, 10..20:2), NOT IN, 'text',\n"
          "T'2024-03-01 12:00' (UTC; /tai for TAI); --bind NAME=VALUE gives NAME in it a\n"
          "value. CALIBRATION collections need --time to search find-first, unless --where\n"
          "names exposures (or visits): a dimension the type lacks joins, one dataset per\n"
          "data ID over both, a calibration the one valid for each exposure's timespan (its\n"
          "EXPOSURE column, \"joined\" in --json; two overlapping validity ranges are an\n"
          "error naming both). Rows show the data ID's implied values (band,\n"
          "physical_filter) after the required ones.\n"
          "--order-by orders each type's rows by data ID keys, implied dimensions and record\n"
          "fields (exposure.day_obs, exposure.timespan.begin), '-' before one for\n"
          "descending, rows without a value last; a name a type's data IDs lack is an error.\n"
          "--limit N shows at most N rows in all; -N (the default is -20000, as the butler's)\n"
          "at most N, with a warning on stderr when more match; 0 all of them.\n"
          "Exit 2 for a usage error (a clause that does not parse too), 1 when the\n"
          "repository refuses (a name its dimensions lack, an unknown dataset type). An\n"
          "equality on a data ID key (exposure = 7) seeks to the datasets that can match\n"
          "instead of reading every one of the type. --json writes each row as it is found\n"
          "(a table waits for its type's last row, for the column widths); --order-by holds\n"
          "a type's rows until its last, to sort them; through a service the answer\n"
          "arrives whole first.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPE...",
                       "dataset types (or type.component) or glob patterns; none: every type", true,
                       true}},
      .options =
          WithFindFirstOptions({CollectionsOption(), WhereOption(), BindOption(),
                                OrderByOption("rows of each type"), LimitOption(), TimeOption(),
                                TimespanOption(), AsOfOption(), ReadServiceOption(), JsonOption()},
                               "every match along the path"),
      .examples =
          {"starlog query-datasets repo raw --collections HSC/defaults --where "
           "\"band = r AND detector IN (0..3)\"",
           "starlog query-datasets repo raw --collections HSC/defaults --where "
           "\"exposure = e AND NOT (detector = 9 OR detector IN (100..103))\" --bind e=903334",
           "starlog query-datasets repo raw calexp --collections HSC/defaults "
           "--order-by -exposure,detector --limit 10",
           "starlog query-datasets repo '*' --collections HSC/raw/all,u/alice/tmp --find-all",
           "starlog query-datasets repo bias --collections HSC/calib --time "
           "2024-03-01T12:00:00",
           "starlog query-datasets repo bias --collections HSC/calib --where "
           "\"exposure IN (903334, 903336)\"",
           "starlog query-datasets repo raw --collections HSC/raw/all --as-of DM-1-inputs"},
      .run = Run,
  };
}

}  // namespace starlog::cli
