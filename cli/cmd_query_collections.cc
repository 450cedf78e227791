#include <algorithm>
#include <cctype>
#include <functional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/reader.h"
#include "cli/table.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  std::vector<codec::CollectionType> types;
  std::vector<std::string> named = args.GetAll("type");
  // The butler takes any case.
  for (std::string t : args.GetAll("collection-type")) {
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::toupper(c); });
    named.push_back(t);
  }
  for (const std::string& t : named) {
    auto type = codec::CollectionTypeFromName(t);
    if (!type) return UsageError("unknown collection type '" + t + "'");
    types.push_back(*type);
  }
  std::string chains = args.GetOr("chains", "tree");
  // The butler's spellings, in any case, of the modes starlog has.
  std::string upper = chains;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "TREE") chains = "tree";
  if (upper == "FLATTEN") chains = "flatten";
  if (upper == "NO-CHILDREN") chains = "no";
  if (chains != "tree" && chains != "flatten" && chains != "no") {
    return UsageError(
        "--chains takes tree, flatten or no (the butler's TREE, FLATTEN, "
        "NO-CHILDREN); its TABLE and INVERSE forms are not there yet");
  }
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto collections, reader->QueryCollections(patterns, types));

  if (args.Has("json")) {
    STARLOG_ASSIGN_OR_RETURN(std::string json, CollectionsJson(*reader, collections));
    io.out << json << "\n";
    return Status::OK();
  }
  Table t({"NAME", "TYPE", "DOC"});
  // Chains shown as trees: children indented under their parent.
  std::function<Status(const std::string&, int)> add_children = [&](const std::string& chain,
                                                                    int depth) -> Status {
    STARLOG_ASSIGN_OR_RETURN(auto info, reader->GetCollection(chain));
    if (!info) return Status::OK();
    for (const auto& child : info->children) {
      STARLOG_ASSIGN_OR_RETURN(auto c, reader->GetCollection(child));
      if (!c) continue;
      t.AddRow({std::string(2 * depth, ' ') + child, std::string(CollectionTypeName(c->type)), ""});
      if (c->type == codec::CollectionType::kChained && depth < 32) {
        STARLOG_RETURN_IF_ERROR(add_children(child, depth + 1));
      }
    }
    return Status::OK();
  };
  for (const auto& c : collections) {
    t.AddRow({c.name, std::string(CollectionTypeName(c.type)), c.doc});
    if (c.type != codec::CollectionType::kChained) continue;
    if (chains == "tree") {
      STARLOG_RETURN_IF_ERROR(add_children(c.name, 1));
    } else if (chains == "flatten") {
      STARLOG_ASSIGN_OR_RETURN(auto flat, reader->ResolveSearchPath({c.name}));
      for (const auto& f : flat) t.AddRow({"  " + f, "", ""});
    }
  }
  t.Print(io.out);
  return Status::OK();
}

}  // namespace

CommandSpec QueryCollectionsCommand() {
  return {
      .name = "query-collections",
      .summary = "list collections, chains shown as trees",
      .description = "",
      .positionals = {{"PATH", "repository folder"},
                      {"PATTERNS...", "names or globs (default: all)", true, true}},
      .options = {{"type", "TYPE", "only RUN, TAGGED, CHAINED or CALIBRATION", true},
                  {"collection-type", "TYPE", "the same, as the butler spells it", true},
                  {"chains", "MODE", "tree (default), flatten, or no"},
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog query-collections repo 'HSC/*'",
                   "starlog query-collections repo --type CHAINED --chains flatten",
                   "starlog query-collections repo --as-of 2024-03-01T00:00:00Z --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
