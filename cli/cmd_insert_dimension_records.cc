#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/ingest/text_rows.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& element_name = args.positional(1);
  const std::string& file = args.positional(2);
  STARLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(file));
  STARLOG_ASSIGN_OR_RETURN(auto rows, ingest::ReadTextRows(text, IsJsonInput(args, file)));
  codec::InsertDimensionRecords e{element_name, {}, args.Has("replace")};
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  const engine::Universe& universe = view.universe();
  const engine::DimensionElement* element = universe.Find(element_name);
  if (element == nullptr) {
    return Status::InvalidArgument("unknown dimension '" + element_name + "'");
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(auto fields,
                             ingest::TypeFields(universe, element, rows[i], {}, i + 1));
    e.records.push_back(std::move(fields));
  }
  const size_t count = e.records.size();
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result, "inserted " + std::to_string(count) + " " + element_name + " records");
  return Status::OK();
}

}  // namespace

CommandSpec InsertDimensionRecordsCommand() {
  return {
      .name = "insert-dimension-records",
      .summary = "insert dimension records (exposures, detectors, ...) from CSV or JSON",
      .description =
          "FILE is CSV with a header row, or JSON (an array of objects; by a .json name or\n"
          "--format json); \"-\" reads standard input. Columns are the element's keys, the\n"
          "dimensions it implies, and its fields (see the universe). The records an element\n"
          "requires must exist first (an instrument before its detectors). An identical\n"
          "record is skipped; a different one is refused unless --replace.",
      .positionals = {{"PATH", "repository folder"},
                      {"ELEMENT", "dimension element (instrument, detector, exposure, ...)"},
                      {"FILE", "CSV or JSON file, or - for standard input"}},
      .options = {{"replace", "", "replace records that exist with other values"},
                  {"format", "csv|json", "input format (default: by the file name)"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog insert-dimension-records repo detector detectors.csv",
                   "echo '[{\"instrument\":\"HSC\",\"class_name\":\"HSC\"}]' | starlog "
                   "insert-dimension-records repo instrument - --format json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
