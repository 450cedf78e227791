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
  // Stored as the butler's dimension group has it (engine::Universe::
  // NormalizeDimensions), read from the repository's own universe.
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  STARLOG_ASSIGN_OR_RETURN(e.dimensions, view.universe().NormalizeDimensions(e.dimensions));
  const std::string name = e.name;
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result, "registered dataset type " + name);
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
