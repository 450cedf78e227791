#pragma once

// Visits: groups of exposures processed together, defined from the exposure
// records as obs_base's DefineVisitsTask does. Planning reads a view and
// returns the dimension records to insert (visit_system, visit,
// visit_definition, visit_system_membership), for one atomic append; a visit
// already defined identically adds nothing, so defining again is a no-op.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/where.h"
#include "starlog/result.h"

namespace starlog::engine {

// obs_base's VisitSystem values, which are the visit_system record ids.
enum class VisitSystem : int64_t {
  kOneToOne = 0,         // A visit per exposure, with the exposure's id and obs_id.
  kByGroupMetadata = 1,  // A visit per exposure.group_name, with id group_id.
};
// "one-to-one", "by-group-metadata".
std::string_view VisitSystemName(VisitSystem system);
// InvalidArgument naming the systems there are.
Result<VisitSystem> ParseVisitSystem(std::string_view name);

struct VisitOptions {
  std::string instrument;
  VisitSystem system = VisitSystem::kOneToOne;
  WhereClause where = {};  // Which exposures (as QueryDimensionRecords takes it).
  // When not empty: only exposures with a dataset of "raw_type" there.
  std::vector<std::string> collections = {};
  std::string raw_type = "raw";
};

struct VisitPlan {
  // InsertDimensionRecords events, in the order they must apply; empty when
  // every visit is already defined.
  std::vector<codec::EventBody> events;
  size_t exposures = 0;     // Exposures grouped.
  size_t not_science = 0;   // Skipped: observation_type other than "science".
  size_t new_visits = 0;    // Visits the events define.
  size_t known_visits = 0;  // Visits already defined as they would be.
};

// The records that define the visits of the exposures "options" selects:
// each visit's timespan spans its exposures' (earliest begin, latest end),
// its day_obs is the earliest, its physical_filter and target_name those
// its exposures share (exposures of one visit with different filters are
// refused). Exposures whose observation_type is set and is not "science"
// are skipped, as obs_base skips those not on the sky. Errors:
// InvalidArgument if the repository's universe has no visit_definition
// (it was created before starlog defined visits) or an exposure lacks what
// its system groups by (by-group-metadata: group_name and group_id);
// NotFound if no exposure is selected; Conflict naming both when a visit
// exists with other values, or a grouping gives one id two names.
Result<VisitPlan> PlanVisits(const RegistryView& view, const VisitOptions& options);

}  // namespace starlog::engine
