#include "cli/commands.h"
#include "cli/common.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  codec::RegisterDatasetType e;
  e.name = args.positional(1);
  e.storage_class = args.positional(2);
  e.dimensions.assign(args.positionals().begin() + 3, args.positionals().end());
  e.is_calibration = args.Has("is-calibration");
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForWrite(args, &io.err));
  const uint64_t before = store->head().sequence;
  STARLOG_ASSIGN_OR_RETURN(engine::Head head, store->Append(e, ActingUser(args)));
  ReportAppend(io, before, head.sequence, "registered dataset type " + e.name);
  return Status::OK();
}

}  // namespace

CommandSpec RegisterDatasetTypeCommand() {
  return {
      .name = "register-dataset-type",
      .summary = "register a dataset type: name, storage class, dimensions",
      .description =
          "Registering an identical definition again changes nothing; another\n"
          "definition under the same name is refused. Components are not registered:\n"
          "address them as parent.component.",
      .positionals = {{"PATH", "repository folder"},
                      {"NAME", "dataset type name (an identifier)"},
                      {"STORAGE_CLASS", "how its datasets are read (e.g. ExposureF)"},
                      {"DIMENSIONS...", "its dimensions", true, true}},
      .options = {{"is-calibration", "", "datasets of this type go in CALIBRATION collections"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog register-dataset-type repo raw Exposure instrument exposure detector",
                   "starlog register-dataset-type repo bias ExposureF instrument detector "
                   "--is-calibration"},
      .run = Run,
  };
}

}  // namespace starlog::cli
