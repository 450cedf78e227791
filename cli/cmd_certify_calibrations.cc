#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/codec/event_text.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& input_run = args.positional(1);
  const std::string& output = args.positional(2);
  const std::string& type = args.positional(3);
  STARLOG_ASSIGN_OR_RETURN(codec::Timespan span, BeginEnd(args));
  STARLOG_ASSIGN_OR_RETURN(auto where, Where(args));
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  STARLOG_ASSIGN_OR_RETURN(auto refs,
                           view.QueryDatasets({type, {input_run}, where, true, std::nullopt}));
  if (refs.empty()) return Status::NotFound("no " + type + " datasets in '" + input_run + "'");
  codec::Certify e{output, type, {}};
  for (const auto& r : refs) e.entries.push_back({r.id, span});
  const size_t count = e.entries.size();
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result,
             "certified " + std::to_string(count) + " " + type + " datasets in " + output +
                 " for " + codec::TimespanToString(span));
  return Status::OK();
}

}  // namespace

CommandSpec CertifyCalibrationsCommand() {
  return {
      .name = "certify-calibrations",
      .summary = "certify the calibrations of a RUN into a CALIBRATION collection",
      .description =
          "Every dataset of DATASET_TYPE in INPUT_RUN (or those --where selects) becomes valid\n"
          "in OUTPUT_COLLECTION over [--begin-date, --end-date), TAI; a missing end is\n"
          "unbounded. An overlap with a range already certified for the same data ID is\n"
          "refused, naming the dataset that holds it.",
      .positionals = {{"PATH", "repository folder"},
                      {"INPUT_RUN", "RUN holding the calibrations"},
                      {"OUTPUT_COLLECTION", "an existing CALIBRATION collection"},
                      {"DATASET_TYPE", "a calibration dataset type"}},
      .options = {{"begin-date", "T", "start of validity (TAI ISO 8601 or ns; default unbounded)"},
                  {"end-date", "T", "end of validity, exclusive (default unbounded)"},
                  WhereOption(),
                  BindOption(),
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog certify-calibrations repo HSC/calib/bias/run1 HSC/calib/DM-1 bias "
                   "--begin-date 2024-01-01 --end-date 2024-07-01"},
      .run = Run,
  };
}

}  // namespace starlog::cli
