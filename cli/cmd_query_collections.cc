#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/reader.h"
#include "cli/table.h"

namespace starlog::cli {

namespace {

// The butler's --chains modes, in any case, and starlog's own spellings.
enum class Chains { kTree, kFlatten, kNoChildren, kTable, kInverseTable, kInverseTree };

// Deep enough for any real chain; a damaged index cannot loop the output.
constexpr int kMaxDepth = 32;

Result<Chains> ChainsMode(std::string mode) {
  std::transform(mode.begin(), mode.end(), mode.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (mode == "TREE") return Chains::kTree;
  if (mode == "FLATTEN") return Chains::kFlatten;
  if (mode == "NO-CHILDREN" || mode == "NO") return Chains::kNoChildren;
  if (mode == "TABLE") return Chains::kTable;
  if (mode == "INVERSE-TABLE") return Chains::kInverseTable;
  if (mode == "INVERSE-TREE") return Chains::kInverseTree;
  return UsageError("--chains takes TABLE, INVERSE-TABLE, TREE, INVERSE-TREE, FLATTEN or " +
                    std::string("NO-CHILDREN (any case), not '") + mode + "'");
}

// Each collection's parent chains, from every chain's children: a listing
// reads every chain anyway.
Result<std::map<std::string, std::vector<std::string>>> ParentsOf(Reader& reader) {
  STARLOG_ASSIGN_OR_RETURN(auto chains,
                           reader.QueryCollections({}, {codec::CollectionType::kChained}));
  std::map<std::string, std::vector<std::string>> parents;
  for (const auto& chain : chains) {  // By name, so each list is sorted.
    for (const auto& child : chain.children) parents[child].push_back(chain.name);
  }
  return parents;
}

// TABLE: a chain's children one a row beside it (its name on the first);
// INVERSE-TABLE: each collection's parents so. The column goes when empty.
Status PrintTable(Reader& reader, const std::vector<engine::CollectionInfo>& collections,
                  bool inverse, Io& io) {
  std::map<std::string, std::vector<std::string>> parents;
  if (inverse) {
    STARLOG_ASSIGN_OR_RETURN(parents, ParentsOf(reader));
  }
  std::vector<std::vector<std::string>> rows;
  bool any = false;
  for (const auto& c : collections) {
    const std::vector<std::string>& related = inverse ? parents[c.name] : c.children;
    const std::string type(CollectionTypeName(c.type));
    if (related.empty()) {
      rows.push_back({c.name, type, ""});
      continue;
    }
    any = true;
    for (size_t i = 0; i < related.size(); ++i) {
      rows.push_back({i == 0 ? c.name : "", i == 0 ? type : "", related[i]});
    }
  }
  Table t =
      any ? Table({"NAME", "TYPE", inverse ? "PARENTS" : "CHILDREN"}) : Table({"NAME", "TYPE"});
  for (auto& row : rows) {
    if (!any) row.pop_back();
    t.AddRow(std::move(row));
  }
  t.Print(io.out);
  return Status::OK();
}

// INVERSE-TREE: each collection, then the chains that list it, indented,
// and theirs, up to the top.
Status PrintInverseTree(Reader& reader, const std::vector<engine::CollectionInfo>& collections,
                        Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto parents, ParentsOf(reader));
  Table t({"NAME", "TYPE"});
  std::function<void(const std::string&, int)> add_parents = [&](const std::string& name,
                                                                 int depth) {
    if (depth > kMaxDepth) return;
    for (const std::string& p : parents[name]) {
      t.AddRow({std::string(2 * depth, ' ') + p, "CHAINED"});
      add_parents(p, depth + 1);
    }
  };
  for (const auto& c : collections) {
    t.AddRow({c.name, std::string(CollectionTypeName(c.type))});
    add_parents(c.name, 1);
  }
  t.Print(io.out);
  return Status::OK();
}

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
  STARLOG_ASSIGN_OR_RETURN(const Chains chains, ChainsMode(args.GetOr("chains", "tree")));
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args));
  std::vector<std::string> patterns(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto collections, reader->QueryCollections(patterns, types));

  if (args.Has("json")) {
    STARLOG_ASSIGN_OR_RETURN(std::string json, CollectionsJson(*reader, collections));
    io.out << json << "\n";
    return Status::OK();
  }
  switch (chains) {
    case Chains::kTable:
    case Chains::kInverseTable:
      return PrintTable(*reader, collections, chains == Chains::kInverseTable, io);
    case Chains::kInverseTree:
      return PrintInverseTree(*reader, collections, io);
    case Chains::kTree:
    case Chains::kFlatten:
    case Chains::kNoChildren:
      break;
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
      if (c->type == codec::CollectionType::kChained && depth < kMaxDepth) {
        STARLOG_RETURN_IF_ERROR(add_children(child, depth + 1));
      }
    }
    return Status::OK();
  };
  for (const auto& c : collections) {
    t.AddRow({c.name, std::string(CollectionTypeName(c.type)), c.doc});
    if (c.type != codec::CollectionType::kChained) continue;
    if (chains == Chains::kTree) {
      STARLOG_RETURN_IF_ERROR(add_children(c.name, 1));
    } else if (chains == Chains::kFlatten) {
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
      .description =
          "--chains says how chains show, as the butler's: TREE indents each chain's\n"
          "children under it, FLATTEN lists the non-chained collections a search\n"
          "through it visits, NO-CHILDREN lists the chain alone, TABLE puts a chain's\n"
          "children one a row beside it, INVERSE-TABLE puts beside each collection the\n"
          "chains that list it, and INVERSE-TREE indents those chains (and theirs) under\n"
          "each collection. tree, flatten and no are starlog's own spellings.",
      .positionals = {{"PATH", "repository folder"},
                      {"PATTERNS...", "names or globs (default: all)", true, true}},
      .options = {{"type", "TYPE", "only RUN, TAGGED, CHAINED or CALIBRATION", true, 1,
                   {"RUN", "TAGGED", "CHAINED", "CALIBRATION"}},
                  {"collection-type", "TYPE", "the same, as the butler spells it", true, 1,
                   {"RUN", "TAGGED", "CHAINED", "CALIBRATION"}},
                  {"chains", "MODE",
                   "TREE (default), FLATTEN, NO-CHILDREN, TABLE, INVERSE-TABLE or "
                   "INVERSE-TREE, in any case",
                   false,
                   1,
                   {"TREE", "FLATTEN", "NO-CHILDREN", "TABLE", "INVERSE-TABLE", "INVERSE-TREE"}},
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog query-collections repo 'HSC/*'",
                   "starlog query-collections repo --type CHAINED --chains flatten",
                   "starlog query-collections repo HSC/raw/all --chains INVERSE-TREE",
                   "starlog query-collections repo --as-of 2024-03-01T00:00:00Z --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
