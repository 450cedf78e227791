#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(service::DatasetsQuery query,
                           DatasetsQueryFrom(args, args.positional(1)));
  query.find_first = !args.Has("find-all");
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  DatasetPrinter printer(reader->universe(), args.Has("json"), io);
  STARLOG_RETURN_IF_ERROR(reader->ForEachDataset(query, [&](engine::DatasetRef&& ref) {
    printer.Add(std::move(ref));
    return true;
  }));
  printer.Finish();
  return Status::OK();
}

}  // namespace

CommandSpec QueryDatasetsCommand() {
  return {
      .name = "query-datasets",
      .summary = "list the datasets of a type in collections (find-first by default)",
      .description =
          "Searches --collections in order (chains expanded, globs matched) and keeps the\n"
          "first dataset per data ID, unless --find-all. --where constrains data ID values,\n"
          "implied dimensions (band, physical_filter) and record fields\n"
          "(exposure.observation_type) in the butler's language: AND, OR, NOT, parentheses,\n"
          "IN (1, 5..9, 10..20:2), NOT IN, 'text', T'2024-03-01 12:00' (UTC; /tai for TAI);\n"
          "--bind NAME=VALUE gives NAME in it a value. CALIBRATION collections need --time\n"
          "to search find-first, unless --where names exposures (or visits): a dimension\n"
          "the type lacks joins, one dataset per data ID over both, a calibration the one\n"
          "valid for each exposure's timespan (its EXPOSURE column, \"joined\" in --json;\n"
          "two overlapping validity ranges are an error naming both). Rows show the data\n"
          "ID's implied values (band, physical_filter) after the required ones. Exit 2 for\n"
          "a usage error (a clause that does not parse too), 1 when the repository refuses\n"
          "(a name its dimensions lack). An equality on a data ID key (exposure = 7) seeks\n"
          "to the datasets that can match instead of reading every one of the type. --json\n"
          "writes each row as it is found (a table waits for its last row, for the column\n"
          "widths); through a service the answer arrives whole first.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPE", "a dataset type (or type.component)"}},
      .options = {CollectionsOption(),
                  WhereOption(),
                  BindOption(),
                  {"find-all", "", "every match along the path"},
                  TimeOption(),
                  TimespanOption(),
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples =
          {"starlog query-datasets repo raw --collections HSC/defaults --where "
           "\"band = r AND detector IN (0..3)\"",
           "starlog query-datasets repo raw --collections HSC/defaults --where "
           "\"exposure = e AND NOT (detector = 9 OR detector IN (100..103))\" --bind e=903334",
           "starlog query-datasets repo bias --collections HSC/calib --time "
           "2024-03-01T12:00:00",
           "starlog query-datasets repo bias --collections HSC/calib --where "
           "\"exposure IN (903334, 903336)\"",
           "starlog query-datasets repo raw --collections HSC/raw/all --as-of DM-1-inputs"},
      .run = Run,
  };
}

}  // namespace starlog::cli
