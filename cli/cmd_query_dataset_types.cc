#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/reader.h"
#include "cli/table.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto types, reader->QueryDatasetTypes(patterns, args.Has("components")));
  if (args.Has("json")) {
    io.out << DatasetTypesJson(types) << "\n";
    return Status::OK();
  }
  Table table({"NAME", "DIMENSIONS", "STORAGE CLASS", "CALIBRATION"});
  for (const auto& t : types) {
    std::string dims;
    for (const auto& d : t.dimensions) dims += (dims.empty() ? "" : ", ") + d;
    table.AddRow({t.name, "{" + dims + "}", t.storage_class, t.is_calibration ? "yes" : "no"});
  }
  table.Print(io.out);
  return Status::OK();
}

}  // namespace

CommandSpec QueryDatasetTypesCommand() {
  return {
      .name = "query-dataset-types",
      .summary = "list dataset types",
      .description =
          "With --components, each type is followed by the components its storage class\n"
          "has (parent.component, with the component's storage class), as the butler's\n"
          "--components lists them.",
      .positionals = {{"PATH", "repository folder"},
                      {"PATTERNS...", "names or globs (default: all)", true, true}},
      .options = {{"components", "", "list the components of each type too"},
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog query-dataset-types repo",
                   "starlog query-dataset-types repo calexp --components",
                   "starlog query-dataset-types repo 'calexp*'"},
      .run = Run,
  };
}

}  // namespace starlog::cli
