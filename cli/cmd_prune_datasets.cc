#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForWrite(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store->View());
  codec::RemoveDatasets e;
  for (const std::string& text : args.GetAll("id")) {
    STARLOG_ASSIGN_OR_RETURN(auto id, codec::Uuid::Parse(text));
    e.ids.push_back(id);
  }
  if (auto type = args.Get("dataset-type")) {
    STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
    STARLOG_ASSIGN_OR_RETURN(auto where, Where(args));
    STARLOG_ASSIGN_OR_RETURN(auto refs,
                             view.QueryDatasets({*type, collections, where, false, std::nullopt}));
    for (const auto& r : refs) e.ids.push_back(r.id);
  }
  if (e.ids.empty()) {
    return Status::InvalidArgument(
        "nothing to prune: give --id, or --dataset-type with "
        "--collections (and --where)");
  }
  STARLOG_ASSIGN_OR_RETURN(engine::Head head, store->Append(e, ActingUser(args)));
  io.out << "pruned " << e.ids.size() << " datasets (event " << head.sequence
         << "); their files, if any, are left on disk\n";
  return Status::OK();
}

}  // namespace

CommandSpec PruneDatasetsCommand() {
  return {
      .name = "prune-datasets",
      .summary = "remove datasets from the registry, and from every collection holding them",
      .description =
          "By id, or by query. The datasets leave their RUN and every TAGGED and\n"
          "CALIBRATION collection; files stay on disk (fsck lists them as unowned).",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"id", "UUID", "a dataset id", true},
                  {"dataset-type", "T", "prune datasets of this type the query finds"},
                  CollectionsOption(),
                  WhereOption(),
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog prune-datasets repo --dataset-type calexp --collections u/alice/tmp",
                   "starlog prune-datasets repo --id 4fa35c72-f4a9-5106-8947-b65ef4096e96"},
      .run = Run,
  };
}

}  // namespace starlog::cli
