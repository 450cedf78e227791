#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string type_name = args.GetOr("type", "RUN");
  auto type = codec::CollectionTypeFromName(type_name);
  if (!type) {
    return UsageError("unknown collection type '" + type_name +
                      "'; use RUN, TAGGED, CHAINED or CALIBRATION");
  }
  const std::string& name = args.positional(1);
  std::optional<std::string> doc;
  if (args.Has("doc")) doc = args.GetOr("doc", "");
  STARLOG_ASSIGN_OR_RETURN(auto result,
                           Submit(args, io, engine::EnsureCollectionEdit{name, *type, doc}));
  ReportEdit(io, result,
             "created " + std::string(codec::CollectionTypeName(*type)) + " collection " + name);
  return Status::OK();
}

}  // namespace

CommandSpec CreateCollectionCommand() {
  return {
      .name = "create-collection",
      .summary = "create a RUN, TAGGED, CHAINED or CALIBRATION collection",
      .description =
          "Names use letters, digits and _-.+@:/ (at most 256 bytes, no glob\n"
          "characters). Creating a collection that exists with the same type changes\n"
          "nothing, except its documentation when --doc is given; with another type it\n"
          "is an error.",
      .positionals = {{"PATH", "repository folder"}, {"NAME", "collection name"}},
      .options = {{"type",
                   "TYPE",
                   "RUN (default), TAGGED, CHAINED or CALIBRATION",
                   false,
                   1,
                   {"RUN", "TAGGED", "CHAINED", "CALIBRATION"}},
                  {"doc", "TEXT", "documentation string"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog create-collection /data/repo HSC/raw/all --type RUN",
                   "starlog create-collection /data/repo HSC/calib/DM-1 --type CALIBRATION "
                   "--doc \"biases certified on DM-1\""},
      .run = Run,
  };
}

}  // namespace starlog::cli
