#include "starlog/engine/visits.h"

#include <algorithm>
#include <map>
#include <set>

#include "starlog/codec/event_text.h"
#include "starlog/codec/text.h"

namespace starlog::engine {

using codec::FieldMap;
using codec::FieldValue;
using codec::Quoted;

namespace {

struct Group {
  std::string name;
  std::vector<const FieldMap*> exposures;
};

const FieldValue* Field(const FieldMap& record, const std::string& name) {
  auto it = record.find(name);
  return it == record.end() ? nullptr : &it->second;
}

int64_t ExposureId(const FieldMap& record) { return std::get<int64_t>(record.at("exposure")); }

// The exposures "options" selects, of its instrument.
Result<std::vector<FieldMap>> SelectExposures(const RegistryView& view,
                                              const VisitOptions& options) {
  STARLOG_ASSIGN_OR_RETURN(auto records, view.QueryDimensionRecords("exposure", options.where));
  std::set<int64_t> with_raw;
  if (!options.collections.empty()) {
    DatasetQuery raws{options.raw_type, options.collections, {}, false, std::nullopt};
    STARLOG_ASSIGN_OR_RETURN(auto ids, view.QueryDataIds({"exposure"}, {}, raws));
    for (const FieldMap& id : ids) {
      if (id.at("instrument") == FieldValue(options.instrument)) with_raw.insert(ExposureId(id));
    }
  }
  std::vector<FieldMap> out;
  for (FieldMap& r : records) {
    if (r.at("instrument") != FieldValue(options.instrument)) continue;
    if (!options.collections.empty() && !with_raw.count(ExposureId(r))) continue;
    out.push_back(std::move(r));
  }
  return out;
}

// The value every exposure of "group" has for "field"; nullopt if one lacks
// it or two differ.
std::optional<FieldValue> Shared(const Group& group, const std::string& field) {
  std::optional<FieldValue> value;
  for (const FieldMap* e : group.exposures) {
    const FieldValue* v = Field(*e, field);
    if (v == nullptr || (value && *value != *v)) return std::nullopt;
    value = *v;
  }
  return value;
}

// The least (or greatest) integer "field" of the group; nullopt if one lacks it.
std::optional<int64_t> Extreme(const Group& group, const std::string& field, bool least) {
  std::optional<int64_t> out;
  for (const FieldMap* e : group.exposures) {
    const FieldValue* v = Field(*e, field);
    if (v == nullptr || !std::holds_alternative<int64_t>(*v)) return std::nullopt;
    const int64_t x = std::get<int64_t>(*v);
    if (!out || (least ? x < *out : x > *out)) out = x;
  }
  return out;
}

Result<FieldMap> VisitRecord(const Universe& universe, const std::string& instrument, int64_t id,
                             const Group& group) {
  const DimensionElement& visit = *universe.Find("visit");
  FieldMap v{{"instrument", instrument}, {"visit", id}};
  const auto put = [&](const std::string& name, FieldValue value) {
    // Only what this repository's universe gives a visit.
    if (universe.FieldType(visit, name) != nullptr) v.emplace(name, std::move(value));
  };
  put("name", group.name);
  if (auto filter = Shared(group, "physical_filter")) {
    put("physical_filter", *filter);
  } else {
    std::set<std::string> filters;
    for (const FieldMap* e : group.exposures) {
      if (const FieldValue* f = Field(*e, "physical_filter")) {
        filters.insert(codec::FieldValueToString(*f));
      }
    }
    if (filters.size() > 1) {
      std::string shown;
      for (const auto& f : filters) shown += (shown.empty() ? "" : ", ") + f;
      return Status::InvalidArgument("visit " + std::to_string(id) + " (" + group.name +
                                     "): its exposures have different physical filters (" + shown +
                                     "); a visit has one");
    }
  }
  if (auto target = Shared(group, "target_name")) put("target_name", *target);
  if (auto day = Extreme(group, "day_obs", true)) put("day_obs", *day);
  auto begin = Extreme(group, "timespan_begin", true);
  auto end = Extreme(group, "timespan_end", false);
  if (begin && end) {
    put("timespan_begin", *begin);
    put("timespan_end", *end);
  }
  return v;
}

Result<std::map<int64_t, Group>> GroupExposures(const std::vector<FieldMap>& exposures,
                                                VisitSystem system) {
  std::map<int64_t, Group> groups;
  for (const FieldMap& e : exposures) {
    int64_t id = ExposureId(e);
    std::string name;
    if (system == VisitSystem::kOneToOne) {
      const FieldValue* obs_id = Field(e, "obs_id");
      name = obs_id != nullptr ? codec::FieldValueToString(*obs_id) : std::to_string(id);
    } else {
      const FieldValue* group_name = Field(e, "group_name");
      const FieldValue* group_id = Field(e, "group_id");
      if (group_name == nullptr || group_id == nullptr) {
        return Status::InvalidArgument("exposure " + std::to_string(id) +
                                       " has no group_name and group_id, by which "
                                       "by-group-metadata groups exposures into visits");
      }
      name = codec::FieldValueToString(*group_name);
      id = std::get<int64_t>(*group_id);
    }
    auto [it, inserted] = groups.try_emplace(id, Group{name, {}});
    if (!inserted && it->second.name != name) {
      return Status::Conflict("visit " + std::to_string(id) + " would be both " +
                              Quoted(it->second.name) + " and " + Quoted(name) +
                              " (exposures of two groups share a group_id)");
    }
    it->second.exposures.push_back(&e);
  }
  return groups;
}

}  // namespace

std::string_view VisitSystemName(VisitSystem system) {
  return system == VisitSystem::kOneToOne ? "one-to-one" : "by-group-metadata";
}

Result<VisitSystem> ParseVisitSystem(std::string_view name) {
  for (VisitSystem s : {VisitSystem::kOneToOne, VisitSystem::kByGroupMetadata}) {
    if (name == VisitSystemName(s)) return s;
  }
  return Status::InvalidArgument("unknown visit system " + Quoted(std::string(name)) +
                                 " (one-to-one, by-group-metadata)");
}

Result<VisitPlan> PlanVisits(const RegistryView& view, const VisitOptions& options) {
  const Universe& u = view.universe();
  const DimensionElement* definition = u.Find("visit_definition");
  if (u.Find("visit") == nullptr || u.Find("exposure") == nullptr || definition == nullptr ||
      !definition->join) {
    return Status::InvalidArgument(
        "this repository's dimension universe has no visit_definition relation (it keeps the "
        "universe it was created with, from before starlog defined visits): create the "
        "repository anew, or with a universe that has one, to define visits");
  }
  const bool systems =
      u.Find("visit_system") != nullptr && u.Find("visit_system_membership") != nullptr;
  STARLOG_ASSIGN_OR_RETURN(
      auto instrument, view.GetDimensionRecord("instrument", {{"instrument", options.instrument}}));
  if (!instrument) return Status::NotFound("no instrument " + Quoted(options.instrument));

  STARLOG_ASSIGN_OR_RETURN(auto selected, SelectExposures(view, options));
  if (selected.empty()) {
    return Status::NotFound("no exposures of " + options.instrument + " selected" +
                            (options.collections.empty()
                                 ? std::string()
                                 : " with " + options.raw_type + " datasets in the collections"));
  }
  VisitPlan plan;
  std::vector<FieldMap> exposures;
  for (FieldMap& e : selected) {
    const FieldValue* type = Field(e, "observation_type");
    if (type != nullptr && *type != FieldValue(std::string("science"))) {
      ++plan.not_science;
      continue;
    }
    exposures.push_back(std::move(e));
  }
  plan.exposures = exposures.size();
  STARLOG_ASSIGN_OR_RETURN(auto groups, GroupExposures(exposures, options.system));

  const int64_t system_id = static_cast<int64_t>(options.system);
  codec::InsertDimensionRecords system_records{"visit_system", {}, false};
  codec::InsertDimensionRecords visits{"visit", {}, false};
  codec::InsertDimensionRecords definitions{"visit_definition", {}, false};
  codec::InsertDimensionRecords memberships{"visit_system_membership", {}, false};
  if (systems && !exposures.empty()) {
    const FieldMap key{{"instrument", options.instrument}, {"visit_system", system_id}};
    FieldMap record = key;
    record.emplace("name", std::string(VisitSystemName(options.system)));
    STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDimensionRecord("visit_system", key));
    if (!existing) {
      system_records.records.push_back(record);
    } else if (*existing != record) {
      return Status::Conflict("visit_system {" + codec::FieldMapToString(key) +
                              "} already exists as {" + codec::FieldMapToString(*existing) +
                              "}, not " + std::string(VisitSystemName(options.system)));
    }
  }
  for (const auto& [id, group] : groups) {
    STARLOG_ASSIGN_OR_RETURN(FieldMap visit, VisitRecord(u, options.instrument, id, group));
    STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDimensionRecord("visit", visit));
    if (existing) {
      if (*existing != visit) {
        return Status::Conflict("visit " + std::to_string(id) + " of " + options.instrument +
                                " already exists as {" + codec::FieldMapToString(*existing) +
                                "}; this definition gives {" + codec::FieldMapToString(visit) +
                                "}");
      }
      // Defined before, as obs_base: its definition is not touched again.
      ++plan.known_visits;
      continue;
    }
    ++plan.new_visits;
    visits.records.push_back(std::move(visit));
    for (const FieldMap* e : group.exposures) {
      definitions.records.push_back(
          {{"instrument", options.instrument}, {"exposure", ExposureId(*e)}, {"visit", id}});
    }
    if (systems) {
      memberships.records.push_back(
          {{"instrument", options.instrument}, {"visit", id}, {"visit_system", system_id}});
    }
  }
  for (auto* e : {&system_records, &visits, &definitions, &memberships}) {
    if (!e->records.empty()) plan.events.push_back(std::move(*e));
  }
  return plan;
}

}  // namespace starlog::engine
