#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/engine/visits.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  engine::VisitOptions options;
  auto instrument = args.Get("instrument");
  if (!instrument) return UsageError("define-visits needs --instrument NAME");
  options.instrument = *instrument;
  if (auto system = args.Get("visit-system")) {
    STARLOG_ASSIGN_OR_RETURN(options.system, AsUsageError(engine::ParseVisitSystem(*system)));
  }
  STARLOG_ASSIGN_OR_RETURN(options.where, Where(args));
  STARLOG_ASSIGN_OR_RETURN(options.collections, Collections(args, /*required=*/false));
  if (auto type = args.Get("raw-type")) options.raw_type = *type;
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  engine::VisitPlan plan;
  {
    STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
    STARLOG_ASSIGN_OR_RETURN(plan, engine::PlanVisits(view, options));
  }
  const std::string counts =
      std::to_string(plan.exposures) + " exposures" +
      (plan.not_science ? " (" + std::to_string(plan.not_science) + " not science, skipped)"
                        : std::string()) +
      ", system " + std::string(engine::VisitSystemName(options.system));
  if (plan.events.empty()) {
    io.out << "no new visits: " << plan.known_visits << " already defined (" << counts << ")\n";
    return Status::OK();
  }
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{std::move(plan.events)}));
  ReportEdit(io, result,
             "defined " + std::to_string(plan.new_visits) + " visits, " +
                 std::to_string(plan.known_visits) + " already defined (" + counts + ")");
  return Status::OK();
}

}  // namespace

CommandSpec DefineVisitsCommand() {
  return {
      .name = "define-visits",
      .summary = "group exposures into visits (visit and visit_definition records)",
      .description =
          "As obs_base's define-visits: the exposures of --instrument that --where selects\n"
          "(and, with --collections, that have raw datasets there) are grouped into visits\n"
          "by --visit-system: one-to-one (a visit per exposure, its id and obs_id; the\n"
          "default) or by-group-metadata (a visit per exposure group_name, id group_id).\n"
          "Each visit's timespan spans its exposures', its day_obs is the earliest, its\n"
          "physical_filter the one they share; visit_definition records say which\n"
          "exposures it has, visit_system_membership which system defined it. Exposures\n"
          "whose observation_type is not science are skipped. All records go in one\n"
          "atomic write; visits already defined the same way add nothing, one defined\n"
          "otherwise is refused.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"instrument", "NAME", "the exposures' instrument (required)"},
                  {"visit-system", "one-to-one|by-group-metadata", "how to group (one-to-one)"},
                  WhereOption(),
                  BindOption(),
                  CollectionsOption(),
                  {"raw-type", "TYPE", "with --collections: the raw dataset type (raw)"},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog define-visits repo --instrument HSC",
                   "starlog define-visits repo --instrument HSC --visit-system by-group-metadata "
                   "--where \"exposure IN (1..10)\"",
                   "starlog define-visits repo --instrument HSC --collections HSC/raw/all"},
      .run = Run,
  };
}

}  // namespace starlog::cli
