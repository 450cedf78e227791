#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/codec/event_text.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/diff.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  auto from_arg = args.Get("from");
  if (!from_arg) return UsageError("give --from (and --to, default the head)");
  STARLOG_ASSIGN_OR_RETURN(uint64_t from, engine::ResolveAsOf(*store, *from_arg));
  uint64_t to = store->head().sequence;
  if (auto t = args.Get("to")) {
    STARLOG_ASSIGN_OR_RETURN(to, engine::ResolveAsOf(*store, *t));
  }
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryDiff d, engine::DiffRegistry(*store, from, to));
  if (args.Has("json")) {
    io.out << DiffJson(d) << "\n";
    return Status::OK();
  }
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store->View(to));
  const engine::Universe& universe = view.universe();
  const auto id = [&](const codec::FieldMap& data_id) { return DataIdToString(data_id, universe); };
  io.out << "changes from event " << d.from << " to event " << d.to << "\n\n";
  Table t({"CHANGE", "WHAT", "NAME", "DETAILS"});
  for (const auto& c : d.collections) {
    const char* change = !c.before ? "+" : !c.after ? "-" : "~";
    t.AddRow({change, "collection", c.name,
              DescribeCollection(c.before) + " -> " + DescribeCollection(c.after)});
  }
  for (const auto& x : d.types_added) t.AddRow({"+", "dataset type", x.name, x.storage_class});
  for (const auto& x : d.types_removed) t.AddRow({"-", "dataset type", x.name, x.storage_class});
  for (const auto& r : d.datasets_added) {
    t.AddRow({"+", "dataset", r.dataset_type + " " + id(r.data_id),
              "in " + r.run + " (" + r.id.ToString() + ")"});
  }
  for (const auto& r : d.datasets_removed) {
    t.AddRow({"-", "dataset", r.dataset_type + " " + id(r.data_id),
              "from " + r.run + " (" + r.id.ToString() + ")"});
  }
  for (const auto& m : d.memberships) {
    t.AddRow(
        {m.added ? "+" : "-", m.validity ? "certification" : "tag",
         m.dataset_type + " " + id(m.data_id),
         m.collection + (m.validity ? " " + codec::TimespanToString(*m.validity) + " TAI" : "")});
  }
  for (const auto& r : d.records) {
    t.AddRow({r.before ? "~" : "+", r.element + " record", id(r.after), ""});
  }
  for (const auto& s : d.snapshots_added) {
    t.AddRow({"+", "snapshot", s.name, "at " + std::to_string(s.sequence)});
  }
  for (const auto& a : d.artifacts) {
    t.AddRow({!a.before  ? "+"
              : !a.after ? "-"
                         : "~",
              "file", a.dataset_type + " " + id(a.data_id),
              (a.before ? a.before->path : "-") + " -> " + (a.after ? a.after->path : "-")});
  }
  if (d.policy) {
    const auto roles = [](const std::optional<codec::SetPolicy>& p) {
      return p ? std::to_string(p->roles.size()) + " roles, " + std::to_string(p->rules.size()) +
                     " rules"
               : std::string("none");
    };
    t.AddRow({d.policy->before ? "~" : "+", "policy", "access policy",
              roles(d.policy->before) + " -> " + roles(d.policy->after)});
  }
  t.Print(io.out);
  return Status::OK();
}

}  // namespace

CommandSpec DiffCommand() {
  return {
      .name = "diff",
      .summary = "what changed between two points of the log",
      .description =
          "Net changes from --from to --to (each a sequence, UTC time or snapshot):\n"
          "collections and chains, dataset types, datasets, tags, certifications,\n"
          "dimension records, snapshots. + added, - removed, ~ changed.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"from", "POINT", "the earlier point"},
                  {"to", "POINT", "the later point (default: the head)"},
                  JsonOption()},
      .examples =
          {"starlog diff repo --from DM-1-inputs",
           "starlog diff repo --from 2024-03-01T00:00:00Z --to 2024-03-02T00:00:00Z --json"},
      .run = Run,
  };
}

}  // namespace starlog::cli
