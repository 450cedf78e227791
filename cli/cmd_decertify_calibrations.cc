#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/codec/event_text.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& collection = args.positional(1);
  const std::string& type = args.positional(2);
  STARLOG_ASSIGN_OR_RETURN(codec::Timespan span, BeginEnd(args));
  codec::Decertify e{collection, type, {}, span};
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  for (const std::string& text : args.GetAll("data-id")) {
    STARLOG_ASSIGN_OR_RETURN(auto data_id, view.universe().ParseFields(text));
    e.data_ids.push_back(std::move(data_id));
  }
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(
      io, result,
      "decertified " + type + " in " + collection + " over " + codec::TimespanToString(span));
  return Status::OK();
}

}  // namespace

CommandSpec DecertifyCalibrationsCommand() {
  return {
      .name = "decertify-calibrations",
      .summary = "withdraw validity over a timespan (ranges are trimmed or split)",
      .description =
          "Validity ranges that overlap [--begin-date, --end-date) lose that part:\n"
          "trimmed at one end, or split in two. Without --data-id, every data ID of\n"
          "the type in the collection.",
      .positionals = {{"PATH", "repository folder"},
                      {"COLLECTION", "the CALIBRATION collection"},
                      {"DATASET_TYPE", "a calibration dataset type"}},
      .options = {{"begin-date", "T", "start of the span (default unbounded)"},
                  {"end-date", "T", "end of the span, exclusive (default unbounded)"},
                  {"data-id", "K=V,...", "only this data ID", true},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog decertify-calibrations repo HSC/calib/DM-1 bias --begin-date "
                   "2024-03-01 --end-date 2024-03-08 --data-id instrument=HSC,detector=50"},
      .run = Run,
  };
}

}  // namespace starlog::cli
