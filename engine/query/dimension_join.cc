// Datasets per data ID of a larger query: a where clause that names
// dimensions the dataset type lacks ("exposure IN (1, 2)" for a bias over
// instrument and detector) asks for the data IDs over both, and, for each,
// the dataset that serves it: for a calibration, the one valid for that
// exposure's (or visit's) timespan, as the butler's query system joins
// calibrations to data IDs that carry timespans. Find-all lists each
// dataset that serves some such data ID, once.

#include <algorithm>
#include <map>
#include <set>

#include "engine/query/registry_view_impl.h"
#include "starlog/codec/text.h"

namespace starlog::engine {

namespace {

void CollectNames(const WhereNode& node, std::set<std::string>* out) {
  const auto take = [&](const WhereOperand& o) {
    if (o.kind == WhereOperand::Kind::kName && !o.name.empty()) out->insert(o.name.front());
  };
  take(node.lhs);
  take(node.rhs);
  for (const WhereOperand& item : node.items) take(item);
  for (const WhereNode& child : node.children) CollectNames(child, out);
}

// The element of "keys" whose records carry the timespan a calibration must
// be valid for: the first in the universe's order with timespan fields.
const DimensionElement* TimedElement(const Universe& universe,
                                     const std::vector<std::string>& keys) {
  for (const DimensionElement& e : universe.elements()) {
    if (!std::binary_search(keys.begin(), keys.end(), e.name)) continue;
    if (universe.FieldType(e, "timespan_begin") && universe.FieldType(e, "timespan_end")) {
      return &e;
    }
  }
  return nullptr;
}

// The timespan of "row"'s "timed" record; nullopt if it has none (as the
// butler's null timespan, it overlaps no validity range).
Result<std::optional<codec::Timespan>> RowTimespan(const RegistryView& view,
                                                   const DimensionElement& timed,
                                                   const codec::FieldMap& row) {
  STARLOG_ASSIGN_OR_RETURN(auto record, view.GetDimensionRecord(timed.name, row));
  if (!record || !record->count("timespan_begin") || !record->count("timespan_end")) {
    return std::optional<codec::Timespan>();
  }
  const auto* begin = std::get_if<int64_t>(&record->at("timespan_begin"));
  const auto* end = std::get_if<int64_t>(&record->at("timespan_end"));
  if (begin == nullptr || end == nullptr) return std::optional<codec::Timespan>();
  return std::optional<codec::Timespan>(codec::Timespan{*begin, *end});
}

// Find-all with dimensions the type lacks: every dataset of the type in the
// collections (as a find-all query finds them) whose data ID is that of
// some row over both that the where clause admits, each match once, as the
// butler's find-all query joins them (an existence join: a bias serves
// every exposure of its detector, and is listed once). A calibration found
// in a CALIBRATION collection must be valid for some such row's timespan.
Result<std::vector<DatasetRef>> QueryAllJoined(const RegistryView& view, const DatasetQuery& query,
                                               const std::vector<std::string>& required,
                                               const std::vector<std::string>& dimensions,
                                               const DimensionElement* timed) {
  STARLOG_ASSIGN_OR_RETURN(auto rows, view.QueryDataIds(dimensions, query.where));
  // Each admitted data ID of the type, with the timespans its rows carry.
  std::map<std::string, std::vector<codec::Timespan>> admitted;
  for (const codec::FieldMap& row : rows) {
    codec::FieldMap data_id;
    for (const std::string& k : required) data_id.emplace(k, row.at(k));
    auto& spans = admitted[codec::FieldMapToString(data_id)];
    if (timed == nullptr) continue;
    STARLOG_ASSIGN_OR_RETURN(auto span, RowTimespan(view, *timed, row));
    if (span) spans.push_back(*span);
  }
  DatasetQuery all = query;
  all.where = WhereClause();
  STARLOG_ASSIGN_OR_RETURN(auto found, view.QueryDatasets(all));
  std::vector<DatasetRef> out;
  for (DatasetRef& ref : found) {
    auto it = admitted.find(codec::FieldMapToString(ref.data_id));
    if (it == admitted.end()) continue;
    if (timed != nullptr && ref.validity &&
        std::none_of(it->second.begin(), it->second.end(),
                     [&](const codec::Timespan& t) { return t.Overlaps(*ref.validity); })) {
      continue;
    }
    out.push_back(std::move(ref));
  }
  return out;
}

}  // namespace

std::vector<std::string> ExtraDimensions(const Universe& universe, const WhereClause& where,
                                         const std::vector<std::string>& required) {
  if (where.empty()) return {};
  std::set<std::string> reachable(required.begin(), required.end());
  std::vector<std::string> pending(required.begin(), required.end());
  while (!pending.empty()) {
    const DimensionElement* e = universe.Find(pending.back());
    pending.pop_back();
    if (e == nullptr) continue;
    for (const std::string& i : e->implies) {
      if (reachable.insert(i).second) pending.push_back(i);
    }
  }
  std::set<std::string> names;
  CollectNames(*where.root, &names);
  std::vector<std::string> out;
  for (const std::string& n : names) {
    const DimensionElement* e = universe.Find(n);
    if (e == nullptr || e->join || reachable.count(n)) continue;
    // Only what hangs off the type's own keys (an instrument's exposures):
    // a tract of some skymap has nothing to join a raw on, and stays the
    // unknown name it was.
    const bool related = std::all_of(e->required.begin(), e->required.end(),
                                     [&](const std::string& r) { return reachable.count(r) > 0; });
    if (related) out.push_back(n);
  }
  return out;
}

Result<std::optional<std::vector<DatasetRef>>> QueryJoinedDatasets(
    const RegistryView& view, const DatasetQuery& query, const DatasetTypeInfo& type,
    const std::vector<std::string>& required) {
  const Universe& universe = view.universe();
  const std::vector<std::string> extra = ExtraDimensions(universe, query.where, required);
  if (extra.empty()) return std::optional<std::vector<DatasetRef>>();
  std::vector<std::string> dimensions = type.dimensions;
  dimensions.insert(dimensions.end(), extra.begin(), extra.end());
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe.RequiredKeys(dimensions));
  const DimensionElement* timed = type.is_calibration ? TimedElement(universe, keys) : nullptr;
  if (!query.find_first) {
    STARLOG_ASSIGN_OR_RETURN(auto refs, QueryAllJoined(view, query, required, dimensions, timed));
    return std::optional<std::vector<DatasetRef>>(std::move(refs));
  }
  STARLOG_ASSIGN_OR_RETURN(auto rows, view.QueryDataIds(dimensions, query.where));
  std::vector<DatasetRef> out;
  for (const codec::FieldMap& row : rows) {
    codec::FieldMap data_id;
    for (const std::string& k : required) data_id.emplace(k, row.at(k));
    std::optional<codec::Timespan> validity = query.validity;
    if (!validity && timed != nullptr) {
      STARLOG_ASSIGN_OR_RETURN(validity, RowTimespan(view, *timed, row));
      if (!validity) continue;  // No time: it overlaps no validity.
    }
    auto found = view.FindDataset(query.dataset_type, data_id, query.collections, validity);
    if (found.status().IsNotFound()) continue;
    STARLOG_RETURN_IF_ERROR(found.status());
    DatasetRef ref = std::move(found).value();
    for (const auto& [k, v] : row) {
      if (!data_id.count(k) && !ref.implied.count(k)) ref.joined.emplace(k, v);
    }
    out.push_back(std::move(ref));
  }
  return std::optional<std::vector<DatasetRef>>(std::move(out));
}

}  // namespace starlog::engine
