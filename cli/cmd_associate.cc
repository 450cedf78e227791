#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& tagged = args.positional(1);
  STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
  STARLOG_ASSIGN_OR_RETURN(auto where, Where(args));
  STARLOG_ASSIGN_OR_RETURN(const bool find_first, FindFirstFrom(args));
  engine::DatasetQuery query{args.GetOr("dataset-type", ""), collections, where, find_first,
                             std::nullopt};
  if (query.dataset_type.empty()) return UsageError("give --dataset-type");
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  STARLOG_ASSIGN_OR_RETURN(auto refs, view.QueryDatasets(query));
  codec::Tag e{tagged, {}};
  for (const auto& r : refs) e.ids.push_back(r.id);
  const size_t count = e.ids.size();
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result, "associated " + std::to_string(count) + " datasets with " + tagged);
  return Status::OK();
}

}  // namespace

CommandSpec AssociateCommand() {
  return {
      .name = "associate",
      .summary = "add the datasets a query finds to a TAGGED collection",
      .description =
          "The TAGGED collection must exist (create-collection --type TAGGED). It holds\n"
          "one dataset per type and data ID: a clash is refused, naming both.",
      .positionals = {{"PATH", "repository folder"}, {"COLLECTION", "the TAGGED collection"}},
      .options = WithFindFirstOptions({{"dataset-type", "T", "dataset type to associate"},
                                       CollectionsOption(),
                                       WhereOption(),
                                       BindOption(),
                                       UserOption(),
                                       NoSyncOption()},
                                      "every match along the path, not only the first per data ID"),
      .examples = {"starlog associate repo HSC/raw/DM-100 --dataset-type raw --collections "
                   "HSC/raw/all --where \"exposure IN (903334..903340)\""},
      .run = Run,
  };
}

}  // namespace starlog::cli
