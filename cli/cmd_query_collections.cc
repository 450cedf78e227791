#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/reader.h"
#include "cli/table.h"
#include "starlog/engine/glob.h"

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

// Rows that each name the collection they show (none for a continuation
// row), so that --show-dataset-types can add that collection's types.
class Listing {
 public:
  explicit Listing(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row, std::string collection) {
    rows_.push_back({std::move(row), std::move(collection)});
  }
  // With "types_of", a DATASET TYPES column: the collection's types, comma
  // separated.
  Status Print(Io& io, const DatasetTypesOfFn& types_of) {
    std::vector<std::string> headers = headers_;
    if (types_of) headers.push_back("DATASET TYPES");
    Table t(headers);
    for (auto& [row, collection] : rows_) {
      if (types_of) {
        std::string joined;
        if (!collection.empty()) {
          STARLOG_ASSIGN_OR_RETURN(auto types, types_of(collection));
          for (const auto& type : types) joined += (joined.empty() ? "" : ", ") + type;
        }
        row.push_back(joined);
      }
      t.AddRow(std::move(row));
    }
    t.Print(io.out);
    return Status::OK();
  }

 private:
  std::vector<std::string> headers_;
  std::vector<std::pair<std::vector<std::string>, std::string>> rows_;
};

// TABLE: a chain's children one a row beside it (its name on the first);
// INVERSE-TABLE: each collection's parents so. The column goes when empty.
Status PrintTable(Reader& reader, const std::vector<engine::CollectionInfo>& collections,
                  bool inverse, Io& io, const DatasetTypesOfFn& types_of) {
  std::map<std::string, std::vector<std::string>> parents;
  if (inverse) {
    STARLOG_ASSIGN_OR_RETURN(parents, ParentsOf(reader));
  }
  std::vector<std::pair<std::vector<std::string>, std::string>> rows;
  bool any = false;
  for (const auto& c : collections) {
    const std::vector<std::string>& related = inverse ? parents[c.name] : c.children;
    const std::string type(CollectionTypeName(c.type));
    if (related.empty()) {
      rows.push_back({{c.name, type, ""}, c.name});
      continue;
    }
    any = true;
    for (size_t i = 0; i < related.size(); ++i) {
      rows.push_back(
          {{i == 0 ? c.name : "", i == 0 ? type : "", related[i]}, i == 0 ? c.name : ""});
    }
  }
  Listing t =
      any ? Listing({"NAME", "TYPE", inverse ? "PARENTS" : "CHILDREN"}) : Listing({"NAME", "TYPE"});
  for (auto& [row, collection] : rows) {
    if (!any) row.pop_back();
    t.Add(std::move(row), std::move(collection));
  }
  return t.Print(io, types_of);
}

// INVERSE-TREE: each collection, then the chains that list it, indented,
// and theirs, up to the top.
Status PrintInverseTree(Reader& reader, const std::vector<engine::CollectionInfo>& collections,
                        Io& io, const DatasetTypesOfFn& types_of) {
  STARLOG_ASSIGN_OR_RETURN(auto parents, ParentsOf(reader));
  Listing t({"NAME", "TYPE"});
  std::function<void(const std::string&, int)> add_parents = [&](const std::string& name,
                                                                 int depth) {
    if (depth > kMaxDepth) return;
    for (const std::string& p : parents[name]) {
      t.Add({std::string(2 * depth, ' ') + p, "CHAINED"}, p);
      add_parents(p, depth + 1);
    }
  };
  for (const auto& c : collections) {
    t.Add({c.name, std::string(CollectionTypeName(c.type))}, c.name);
    add_parents(c.name, 1);
  }
  return t.Print(io, types_of);
}

// FLATTEN, as the butler's: one flat list of the non-chained collections the
// patterns name or a search through the chains they name visits, each once,
// and the type filter applied to that list (so a chain is never listed, and
// --type CHAINED lists nothing). Named collections keep their order with
// chains expanded in place; with globs, the collections matched come first,
// then what the matched chains search. Tables and --json list the same.
Result<std::vector<engine::CollectionInfo>> Flatten(
    Reader& reader, const std::vector<engine::CollectionInfo>& matched,
    const std::vector<std::string>& patterns, const std::vector<codec::CollectionType>& types) {
  const bool globbed =
      patterns.empty() || std::any_of(patterns.begin(), patterns.end(), [](const std::string& p) {
        return engine::HasGlobCharacters(p);
      });
  std::set<std::string> seen;
  std::vector<engine::CollectionInfo> flat;
  auto add = [&](const engine::CollectionInfo& info) {
    if (info.type == codec::CollectionType::kChained) return;
    if (!types.empty() && std::find(types.begin(), types.end(), info.type) == types.end()) return;
    if (seen.insert(info.name).second) flat.push_back(info);
  };
  auto add_searched = [&](const std::string& chain) -> Status {
    STARLOG_ASSIGN_OR_RETURN(auto searched, reader.ResolveSearchPath({chain}));
    for (const std::string& f : searched) {
      STARLOG_ASSIGN_OR_RETURN(auto info, reader.GetCollection(f));
      if (info) add(*info);
    }
    return Status::OK();
  };
  for (const auto& c : matched) {
    if (c.type != codec::CollectionType::kChained) {
      add(c);
    } else if (!globbed) {
      STARLOG_RETURN_IF_ERROR(add_searched(c.name));
    }
  }
  if (globbed) {
    for (const auto& c : matched) {
      if (c.type == codec::CollectionType::kChained) STARLOG_RETURN_IF_ERROR(add_searched(c.name));
    }
  }
  return flat;
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
  // FLATTEN filters by type after the chains are expanded, as the butler does.
  STARLOG_ASSIGN_OR_RETURN(
      auto collections,
      reader->QueryCollections(
          patterns, chains == Chains::kFlatten ? std::vector<codec::CollectionType>{} : types));
  if (chains == Chains::kFlatten) {
    STARLOG_ASSIGN_OR_RETURN(collections, Flatten(*reader, collections, patterns, types));
  }

  // --show-dataset-types (-t): each collection's types, but those
  // --exclude-dataset-types names, looked up once each.
  DatasetTypesOfFn types_of;
  std::map<std::string, std::vector<std::string>> known_types;
  std::vector<std::string> excluded;
  for (const std::string& value : args.GetAll("exclude-dataset-types")) {
    for (size_t begin = 0; begin <= value.size();) {
      const size_t comma = std::min(value.find(',', begin), value.size());
      if (comma > begin) excluded.push_back(value.substr(begin, comma - begin));
      begin = comma + 1;
    }
  }
  if (args.Has("show-dataset-types")) {
    types_of = [&](const std::string& name) -> Result<std::vector<std::string>> {
      auto it = known_types.find(name);
      if (it != known_types.end()) return it->second;
      STARLOG_ASSIGN_OR_RETURN(auto found, reader->DatasetTypesIn({name}));
      std::erase_if(found, [&](const std::string& t) {
        return std::any_of(excluded.begin(), excluded.end(),
                           [&](const std::string& p) { return engine::GlobMatch(p, t); });
      });
      return known_types[name] = std::move(found);
    };
  } else if (!excluded.empty()) {
    return UsageError("--exclude-dataset-types goes with --show-dataset-types (-t)");
  }
  if (args.Has("json")) {
    STARLOG_ASSIGN_OR_RETURN(std::string json, CollectionsJson(*reader, collections, types_of));
    io.out << json << "\n";
    return Status::OK();
  }
  switch (chains) {
    case Chains::kTable:
    case Chains::kInverseTable:
      return PrintTable(*reader, collections, chains == Chains::kInverseTable, io, types_of);
    case Chains::kInverseTree:
      return PrintInverseTree(*reader, collections, io, types_of);
    case Chains::kFlatten: {
      Listing t({"NAME", "TYPE"});
      for (const auto& c : collections)
        t.Add({c.name, std::string(CollectionTypeName(c.type))}, c.name);
      return t.Print(io, types_of);
    }
    case Chains::kTree:
    case Chains::kNoChildren:
      break;
  }
  Listing t({"NAME", "TYPE", "DOC"});
  // Chains shown as trees: children indented under their parent.
  std::function<Status(const std::string&, int)> add_children = [&](const std::string& chain,
                                                                    int depth) -> Status {
    STARLOG_ASSIGN_OR_RETURN(auto info, reader->GetCollection(chain));
    if (!info) return Status::OK();
    for (const auto& child : info->children) {
      STARLOG_ASSIGN_OR_RETURN(auto c, reader->GetCollection(child));
      if (!c) continue;
      t.Add({std::string(2 * depth, ' ') + child, std::string(CollectionTypeName(c->type)), ""},
            child);
      if (c->type == codec::CollectionType::kChained && depth < kMaxDepth) {
        STARLOG_RETURN_IF_ERROR(add_children(child, depth + 1));
      }
    }
    return Status::OK();
  };
  for (const auto& c : collections) {
    t.Add({c.name, std::string(CollectionTypeName(c.type)), c.doc}, c.name);
    if (c.type != codec::CollectionType::kChained) continue;
    if (chains == Chains::kTree) {
      STARLOG_RETURN_IF_ERROR(add_children(c.name, 1));
    }
  }
  return t.Print(io, types_of);
}

}  // namespace

CommandSpec QueryCollectionsCommand() {
  return {
      .name = "query-collections",
      .summary = "list collections, chains shown as trees",
      .description =
          "--chains says how chains show, as the butler's: TREE indents each chain's\n"
          "children under it, FLATTEN lists, flat and each once, the non-chained\n"
          "collections matched or searched through the chains matched (--type applies\n"
          "to that list, so chains never show), NO-CHILDREN lists the chain alone, TABLE\n"
          "puts a chain's children one a row beside it, INVERSE-TABLE puts beside each\n"
          "collection the chains that list it, and INVERSE-TREE indents those chains (and\n"
          "theirs) under each collection. tree, flatten and no are starlog's own spellings.",
      .positionals = {{"PATH", "repository folder"},
                      {"PATTERNS...", "names or globs (default: all)", true, true}},
      .options = {{"type",
                   "TYPE",
                   "only RUN, TAGGED, CHAINED or CALIBRATION",
                   true,
                   1,
                   {"RUN", "TAGGED", "CHAINED", "CALIBRATION"}},
                  {"collection-type",
                   "TYPE",
                   "the same, as the butler spells it",
                   true,
                   1,
                   {"RUN", "TAGGED", "CHAINED", "CALIBRATION"}},
                  {"chains",
                   "MODE",
                   "TREE (default), FLATTEN, NO-CHILDREN, TABLE, INVERSE-TABLE or "
                   "INVERSE-TREE, in any case",
                   false,
                   1,
                   {"TREE", "FLATTEN", "NO-CHILDREN", "TABLE", "INVERSE-TABLE", "INVERSE-TREE"}},
                  {"show-dataset-types",
                   "",
                   "a column of each collection's dataset types (a chain: what it searches)",
                   false,
                   1,
                   {},
                   't'},
                  {"exclude-dataset-types", "GLOB[,GLOB...]",
                   "with -t, leave out the types these match", true},
                  AsOfOption(),
                  ReadServiceOption(),
                  JsonOption()},
      .examples =
          {"starlog query-collections repo 'HSC/*'",
           "starlog query-collections repo 'HSC/runs/*' -t --exclude-dataset-types '*_config'",
           "starlog query-collections repo HSC/defaults --chains flatten --type RUN",
           "starlog query-collections repo HSC/raw/all --chains INVERSE-TREE",
           "starlog query-collections repo --as-of 2024-03-01T00:00:00Z --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
