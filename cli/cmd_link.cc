#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "starlog/ingest/link_tree.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  auto text = args.Get("template");
  if (!text) return UsageError("give --template, e.g. '{run}/{exposure}/{detector:03d}'");
  auto to = args.Get("to");
  if (!to) return UsageError("give --to DIR (where the links go)");
  STARLOG_ASSIGN_OR_RETURN(auto path_template, ingest::FileTemplate::Parse(*text));
  STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery query, DatasetQueryFrom(args, args.positional(1)));
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  STARLOG_ASSIGN_OR_RETURN(auto refs, view.QueryDatasets(query));
  ingest::LinkOptions options;
  options.to = *to;
  options.relative = args.Has("relative");
  ingest::LinkReport report;
  {
    Progress progress(io, "link", "links");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    STARLOG_ASSIGN_OR_RETURN(report,
                             ingest::LinkDatasets(store->root(), refs, path_template, options));
  }
  io.out << "linked " << refs.size() << " datasets under " << *to << ": " << report.created
         << " links made, " << report.unchanged << " already there\n";
  return Status::OK();
}

}  // namespace

CommandSpec LinkCommand() {
  return {
      .name = "link",
      .summary = "a tree of symbolic links to the files of the datasets a query finds",
      .description =
          "For each dataset the query finds, a symbolic link at the path the template makes\n"
          "from its data ID, run and dataset type, under --to (folders made as needed),\n"
          "pointing at its file. Every path is made before any link: a template field the\n"
          "data ID lacks is an error that names it, and so are two datasets that would\n"
          "share a link. Links already there and right are kept.",
      .positionals = {{"PATH", "repository folder"}, {"DATASET_TYPE", "a dataset type"}},
      .options = WithDatasetQueryOptions(
          {{"template", "T", "path of each link, e.g. '{run}/{exposure:08d}/{detector:03d}'"},
           {"to", "DIR", "the folder the tree goes under"},
           {"relative", "", "link by relative paths (the tree can move with the repository)"}}),
      .examples = {"starlog link repo raw --collections HSC/raw/all --where \"exposure = 903334\" "
                   "--template '{run}/input/{exposure}/{detector:03d}' --to /scratch/run42"},
      .run = Run,
  };
}

}  // namespace starlog::cli
