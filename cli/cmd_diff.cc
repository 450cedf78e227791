#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/table.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/json_writer.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/diff.h"

namespace starlog::cli {

namespace {

std::string Describe(const std::optional<engine::CollectionInfo>& c) {
  if (!c) return "-";
  std::string out(codec::CollectionTypeName(c->type));
  if (c->type == codec::CollectionType::kChained) {
    out += " [";
    for (size_t i = 0; i < c->children.size(); ++i) out += (i ? ", " : "") + c->children[i];
    out += "]";
  }
  return out;
}

void PrintJson(const engine::RegistryDiff& d, Io& io) {
  codec::JsonWriter j;
  j.BeginObject().Key("from").Uint(d.from).Key("to").Uint(d.to).Key("collections").BeginArray();
  for (const auto& c : d.collections) {
    j.BeginObject().Key("name").String(c.name).Key("before").String(Describe(c.before));
    j.Key("after").String(Describe(c.after)).EndObject();
  }
  j.EndArray().Key("dataset_types_added").BeginArray();
  for (const auto& t : d.types_added) j.String(t.name);
  j.EndArray().Key("dataset_types_removed").BeginArray();
  for (const auto& t : d.types_removed) j.String(t.name);
  j.EndArray();
  for (const auto* list : {&d.datasets_added, &d.datasets_removed}) {
    j.Key(list == &d.datasets_added ? "datasets_added" : "datasets_removed").BeginArray();
    for (const auto& r : *list) {
      j.BeginObject().Key("id").String(r.id.ToString()).Key("dataset_type").String(r.dataset_type);
      j.Key("run").String(r.run).Key("data_id").String(codec::FieldMapToString(r.data_id));
      j.EndObject();
    }
    j.EndArray();
  }
  j.Key("memberships").BeginArray();
  for (const auto& m : d.memberships) {
    j.BeginObject().Key("change").String(m.added ? "added" : "removed");
    j.Key("collection").String(m.collection).Key("id").String(m.id.ToString());
    j.Key("dataset_type")
        .String(m.dataset_type)
        .Key("data_id")
        .String(codec::FieldMapToString(m.data_id));
    if (m.validity) j.Key("validity").String(codec::TimespanToString(*m.validity));
    j.EndObject();
  }
  j.EndArray().Key("dimension_records").BeginArray();
  for (const auto& r : d.records) {
    j.BeginObject().Key("element").String(r.element).Key("record").String(
        codec::FieldMapToString(r.after));
    j.Key("replaced").Bool(r.before.has_value()).EndObject();
  }
  j.EndArray().Key("snapshots_added").BeginArray();
  for (const auto& s : d.snapshots_added) j.String(s.name);
  j.EndArray().Key("files").BeginArray();
  for (const auto& a : d.artifacts) {
    j.BeginObject().Key("id").String(a.id.ToString()).Key("dataset_type").String(a.dataset_type);
    j.Key("data_id").String(codec::FieldMapToString(a.data_id));
    j.Key("before")
        .String(a.before ? a.before->path : "")
        .Key("after")
        .String(a.after ? a.after->path : "");
    j.EndObject();
  }
  j.EndArray().Key("policy_changed").Bool(d.policy.has_value()).EndObject();
  io.out << j.str() << "\n";
}

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
    PrintJson(d, io);
    return Status::OK();
  }
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store->View(to));
  const engine::Universe& universe = view.universe();
  const auto id = [&](const codec::FieldMap& data_id) { return DataIdToString(data_id, universe); };
  io.out << "changes from event " << d.from << " to event " << d.to << "\n\n";
  Table t({"CHANGE", "WHAT", "NAME", "DETAILS"});
  for (const auto& c : d.collections) {
    const char* change = !c.before ? "+" : !c.after ? "-" : "~";
    t.AddRow({change, "collection", c.name, Describe(c.before) + " -> " + Describe(c.after)});
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
