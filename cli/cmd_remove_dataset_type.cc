#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(
      auto result,
      Submit(args, io, engine::AppendEdit{{codec::RemoveDatasetType{args.positional(1)}}}));
  ReportEdit(io, result, "removed dataset type " + args.positional(1));
  return Status::OK();
}

}  // namespace

CommandSpec RemoveDatasetTypeCommand() {
  return {
      .name = "remove-dataset-type",
      .summary = "remove a dataset type that has no datasets",
      .description = "Refused while any dataset of the type exists; prune them first.",
      .positionals = {{"PATH", "repository folder"}, {"NAME", "dataset type name"}},
      .options = {UserOption(), NoSyncOption()},
      .examples = {"starlog remove-dataset-type repo scratch_image"},
      .run = Run,
  };
}

}  // namespace starlog::cli
