#include "cli/commands.h"
#include "cli/common.h"
#include "cli/confirm.h"
#include "cli/dataset_output.h"

namespace starlog::cli {

namespace {

// The datasets to prune, resolved (and, with --dry-run or on a terminal,
// shown) from a read-only open; nullopt when the command is done without
// pruning. Only the prune needs the writer, which checks them again.
using Chosen = std::optional<std::vector<codec::Uuid>>;
Result<Chosen> ChooseDatasets(const ParsedArgs& args, Io& io, engine::PruneMode mode) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store->View());
  std::vector<codec::Uuid> ids;
  std::vector<engine::DatasetRef> shown;
  for (const std::string& text : args.GetAll("id")) {
    STARLOG_ASSIGN_OR_RETURN(auto id, codec::Uuid::Parse(text));
    STARLOG_ASSIGN_OR_RETURN(auto ref, view.GetDataset(id));
    if (!ref) return Status::NotFound("no dataset " + text);
    ids.push_back(id);
    shown.push_back(std::move(*ref));
  }
  if (auto type = args.Get("dataset-type")) {
    STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
    STARLOG_ASSIGN_OR_RETURN(auto where, Where(args));
    STARLOG_ASSIGN_OR_RETURN(const bool find_first, FindFirstFrom(args));
    // Find-first, as query-datasets answers by default: what a user previews
    // with one is what the other removes. --find-all takes the shadowed too.
    STARLOG_ASSIGN_OR_RETURN(
        auto refs, view.QueryDatasets({*type, collections, where, find_first, std::nullopt}));
    for (auto& r : refs) {
      ids.push_back(r.id);
      shown.push_back(std::move(r));
    }
  }
  if (ids.empty()) {
    if (args.Has("dataset-type")) {
      io.out << "no datasets match; nothing pruned\n";
      return Chosen();
    }
    return UsageError(
        "nothing to prune: give --id, or --dataset-type with "
        "--collections (and --where)");
  }
  const char* action = mode == engine::PruneMode::kUnstore ? "would delete the files of"
                       : mode == engine::PruneMode::kPurge ? "would remove, with their files,"
                                                           : "would remove";
  if (args.Has("dry-run") || (io.terminal && !args.Has("no-confirm"))) {
    io.out << action << " " << ids.size() << " datasets:\n";
    for (const auto& r : shown) {
      io.out << "  " << r.id.ToString() << "  " << r.dataset_type << "  " << r.run << "  {"
             << DataIdToString(r.data_id, view.universe()) << "}\n";
    }
    if (args.Has("dry-run")) return Chosen();
    if (!CanAsk(io) || !Confirmed(io, "Go ahead?")) {
      io.out << "nothing pruned\n";
      return Chosen();
    }
  }
  return Chosen(std::move(ids));
}

Status Run(const ParsedArgs& args, Io& io) {
  if (args.Has("unstore") && args.Has("purge")) {
    return UsageError("--unstore and --purge exclude each other");
  }
  const engine::PruneMode mode = args.Has("purge")     ? engine::PruneMode::kPurge
                                 : args.Has("unstore") ? engine::PruneMode::kUnstore
                                                       : engine::PruneMode::kForget;
  STARLOG_ASSIGN_OR_RETURN(auto ids, ChooseDatasets(args, io, mode));
  if (!ids) return Status::OK();
  STARLOG_ASSIGN_OR_RETURN(auto report, Submit(args, io, engine::PruneEdit{std::move(*ids), mode}));
  switch (mode) {
    case engine::PruneMode::kForget:
      io.out << "pruned " << report.datasets << " datasets (event " << report.head.sequence
             << "); their files, if any, are left on disk\n";
      break;
    case engine::PruneMode::kUnstore:
      io.out << "unstored " << report.datasets << " datasets (event " << report.head.sequence
             << "): " << report.files_deleted << " files deleted\n";
      break;
    case engine::PruneMode::kPurge:
      io.out << "purged " << report.datasets << " datasets (event " << report.head.sequence
             << "): " << report.files_deleted << " files deleted\n";
      break;
  }
  for (const std::string& e : report.file_errors) io.err << "not deleted: " << e << "\n";
  return report.file_errors.empty()
             ? Status::OK()
             : Status::IOError(std::to_string(report.file_errors.size()) +
                               " files could not be deleted (the registry no longer claims them)");
}

}  // namespace

CommandSpec PruneDatasetsCommand() {
  return {
      .name = "prune-datasets",
      .summary = "remove datasets from the registry, and from every collection holding them",
      .description =
          "By id, or by query: --dataset-type with --collections finds, like\n"
          "query-datasets, the first match per data ID along the search path; --find-all\n"
          "takes every match, the shadowed ones too. The datasets leave their RUN and every\n"
          "TAGGED and CALIBRATION collection. Files: by default they stay on disk (fsck\n"
          "lists them as unowned); --purge deletes them too; --unstore deletes only the\n"
          "files and keeps the datasets, without files. Files are deleted after the\n"
          "registry's change is durable. On a terminal the datasets are listed and a\n"
          "confirmation asked (--no-confirm skips it); --dry-run only lists them.",
      .positionals = {{"PATH", "repository folder"}},
      .options = WithFindFirstOptions(
          {{"id", "UUID", "a dataset id", true},
           {"dataset-type", "T", "prune datasets of this type the query finds"},
           CollectionsOption(),
           WhereOption(),
           BindOption(),
           {"purge", "", "delete the files too"},
           {"unstore", "", "delete the files, keep the datasets (without files)"},
           {"dry-run", "", "list what would be pruned, change nothing"},
           {"no-confirm", "", "do not ask on a terminal"},
           UserOption(),
           NoSyncOption()},
          "every match along the search path, not only the first"),
      .examples = {"starlog prune-datasets repo --dataset-type calexp --collections u/alice/tmp",
                   "starlog prune-datasets repo --dataset-type calexp --collections u/alice/tmp "
                   "--purge --dry-run",
                   "starlog prune-datasets repo --id 4fa35c72-f4a9-5106-8947-b65ef4096e96"},
      .run = Run,
  };
}

}  // namespace starlog::cli
