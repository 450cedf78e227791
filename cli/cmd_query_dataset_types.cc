#include <set>

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
  if (args.Has("collections")) {
    // As the butler's: only the types with datasets in those collections
    // (a component goes with its parent).
    STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
    STARLOG_ASSIGN_OR_RETURN(auto present, reader->DatasetTypesIn(collections));
    const std::set<std::string> in(present.begin(), present.end());
    std::erase_if(types, [&](const engine::DatasetTypeInfo& t) {
      return in.count(t.name.substr(0, t.name.find('.'))) == 0;
    });
  }
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
          "--components lists them. With --collections, only the types that have datasets\n"
          "in those collections (a chain: in the collections it searches), as the butler's;\n"
          "each type is found by a seek, not by reading the datasets.",
      .positionals = {{"PATH", "repository folder"},
                      {"PATTERNS...", "names or globs (default: all)", true, true}},
      .options = {{"components", "", "list the components of each type too"},
                  CollectionsOption(),
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog query-dataset-types repo",
                   "starlog query-dataset-types repo calexp --components",
                   "starlog query-dataset-types repo 'calexp*'",
                   "starlog query-dataset-types repo --collections HSC/defaults"},
      .run = Run,
  };
}

}  // namespace starlog::cli
