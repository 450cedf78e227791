#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& tagged = args.positional(1);
  STARLOG_ASSIGN_OR_RETURN(auto where, Where(args));
  engine::DatasetQuery query{args.GetOr("dataset-type", ""), {tagged}, where, false, std::nullopt};
  if (query.dataset_type.empty()) return UsageError("give --dataset-type");
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  STARLOG_ASSIGN_OR_RETURN(auto refs, view.QueryDatasets(query));
  codec::Untag e{tagged, {}};
  for (const auto& r : refs) e.ids.push_back(r.id);
  const size_t count = e.ids.size();
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result, "disassociated " + std::to_string(count) + " datasets from " + tagged);
  return Status::OK();
}

}  // namespace

CommandSpec DisassociateCommand() {
  return {
      .name = "disassociate",
      .summary = "take datasets of a type out of a TAGGED collection",
      .description = "",
      .positionals = {{"PATH", "repository folder"}, {"COLLECTION", "the TAGGED collection"}},
      .options = {{"dataset-type", "T", "dataset type to take out"},
                  WhereOption(),
                  BindOption(),
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog disassociate repo HSC/raw/DM-100 --dataset-type raw --where "
                   "\"detector = 9\""},
      .run = Run,
  };
}

}  // namespace starlog::cli
