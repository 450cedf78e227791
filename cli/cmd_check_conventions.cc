#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/engine/conventions.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  STARLOG_ASSIGN_OR_RETURN(auto findings, engine::CheckConventions(view));
  if (args.Has("json")) {
    io.out << ConventionsJson(findings) << "\n";
  } else if (findings.empty()) {
    io.out << "every collection follows DMTN-167's conventions\n";
  } else {
    Table t({"COLLECTION", "TYPE", "CONVENTION", "PROBLEM"});
    for (const auto& f : findings) {
      t.AddRow(
          {f.collection, std::string(codec::CollectionTypeName(f.type)), f.convention, f.problem});
    }
    t.Print(io.out);
  }
  if (!findings.empty()) {
    return Status::Conflict(std::to_string(findings.size()) +
                            " collections do not follow the conventions");
  }
  return Status::OK();
}

}  // namespace

CommandSpec CheckConventionsCommand() {
  return {
      .name = "check-conventions",
      .summary = "report collections whose names or types break DMTN-167's conventions",
      .description =
          "Checks every collection against DMTN-167's table of names: <instrument>/raw/all\n"
          "a RUN, <instrument>/raw and <instrument>/calib CHAINED pointers,\n"
          "<instrument>/raw/<ticket> TAGGED, <instrument>/calib/<ticket> CALIBRATION,\n"
          "[<instrument>/]runs/<target>/<release>/<ticket> CHAINED, refcats CHAINED,\n"
          "refcats/<ticket> RUN, skymaps RUN, u/<user>/... free; names outside the scheme\n"
          "and shared chains into u/ are reported too. <instrument> is any instrument\n"
          "with a dimension record. Exit status 1 when anything is reported.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {AsOfOption(), JsonOption()},
      .examples = {"starlog check-conventions /data/repo", "starlog check-conventions repo --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
