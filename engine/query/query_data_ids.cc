// QueryDataIds and QueryDimensionRecords, row by row: each row is handed on
// as it is found (given its implied values first), so output streams and a
// caller that stops early stops the reading. The orders and limits of
// ordered_queries.cc are built on these.

#include <algorithm>
#include <set>

#include "engine/query/registry_view_impl.h"
#include "starlog/codec/text.h"

namespace starlog::engine {

using codec::Quoted;

Status StreamDataIds(const RegistryView& view, const RegistryView::Impl& impl,
                     const std::vector<std::string>& dimensions, const WhereClause& where,
                     const std::optional<DatasetQuery>& datasets,
                     const RegistryView::FieldMapFn& fn) {
  const Universe& universe = view.universe();
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe.RequiredKeys(dimensions));
  RecordCache records(impl);
  // A failure inside a callback, which can only say stop.
  Status failure;
  // Each row with its implied values added, handed on.
  const auto emit = [&](codec::FieldMap&& row) {
    auto implied = ImpliedValuesOf(universe, records, row);
    if (!implied.ok()) {
      failure = implied.status();
      return false;
    }
    row.merge(*implied);
    return fn(std::move(row));
  };
  if (!datasets) {
    // From the dimension records, joined on shared keys (record_join.cc),
    // whose rows are distinct already.
    STARLOG_ASSIGN_OR_RETURN(BoundWhere bound, BoundWhere::Bind(universe, where, keys));
    STARLOG_RETURN_IF_ERROR(JoinRecords(impl, keys, bound, records, emit));
    return failure;
  }
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, view.GetDatasetType(datasets->dataset_type));
  STARLOG_ASSIGN_OR_RETURN(auto type_keys, universe.RequiredKeys(type.dimensions));
  // The data IDs given so far: many datasets share one.
  std::set<std::string> distinct;
  if (!std::includes(type_keys.begin(), type_keys.end(), keys.begin(), keys.end())) {
    // Keys the datasets lack (a raw's visit): the data IDs over both, from
    // the records (joined through visit_definition), that a dataset has,
    // as the butler's query joins datasets with dimensions.
    std::set<std::string> found;
    STARLOG_RETURN_IF_ERROR(view.ForEachDataset(*datasets, [&](DatasetRef&& ref) {
      found.insert(EncodeDataId(ref.data_id));
      return true;
    }));
    std::vector<std::string> both = dimensions;
    both.insert(both.end(), type.dimensions.begin(), type.dimensions.end());
    STARLOG_RETURN_IF_ERROR(
        StreamDataIds(view, impl, both, where, std::nullopt, [&](codec::FieldMap&& row) {
          auto of_type = EncodeDataIdKeys(row, type_keys);
          if (!of_type.ok()) {
            failure = of_type.status();
            return false;
          }
          if (!found.count(*of_type)) return true;
          codec::FieldMap projected;
          for (const std::string& k : keys) projected.emplace(k, row.at(k));
          if (!distinct.insert(EncodeDataId(projected)).second) return true;
          return emit(std::move(projected));
        }));
    return failure;
  }
  STARLOG_ASSIGN_OR_RETURN(BoundWhere bound, BoundWhere::Bind(universe, where, keys));
  STARLOG_RETURN_IF_ERROR(view.ForEachDataset(*datasets, [&](DatasetRef&& ref) {
    codec::FieldMap projected;
    for (const std::string& k : keys) {
      auto it = ref.data_id.find(k);
      if (it == ref.data_id.end()) {
        failure = Status::InvalidArgument("datasets of " + datasets->dataset_type + " have no '" +
                                          k + "' in their data IDs");
        return false;
      }
      projected.emplace(k, it->second);
    }
    auto match = bound.Matches(projected, records);
    if (!match.ok()) {
      failure = match.status();
      return false;
    }
    if (!*match || !distinct.insert(EncodeDataId(projected)).second) return true;
    return emit(std::move(projected));
  }));
  return failure;
}

Status StreamDimensionRecords(const RegistryView& view, const RegistryView::Impl& impl,
                              const std::string& element, const WhereClause& where,
                              const RegistryView::FieldMapFn& fn) {
  const Universe& universe = view.universe();
  const DimensionElement* e = universe.Find(element);
  if (e == nullptr) return Status::InvalidArgument("unknown dimension " + Quoted(element));
  STARLOG_ASSIGN_OR_RETURN(auto key_names, universe.RequiredKeys({element}));
  // Bare names in the where clause may name the record's own fields too.
  STARLOG_ASSIGN_OR_RETURN(BoundWhere bound, BoundWhere::Bind(universe, where, key_names, e));
  RecordCache cache(impl);
  // Every key pinned by the clause (as diff asks, record by record): one seek.
  const codec::FieldMap fixed = bound.FixedKeys();
  if (std::all_of(key_names.begin(), key_names.end(),
                  [&](const std::string& k) { return fixed.count(k) > 0; })) {
    STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* found, cache.Get(element, fixed));
    if (found == nullptr) return Status::OK();
    STARLOG_ASSIGN_OR_RETURN(bool ok, bound.Matches(*found, cache));
    if (ok) fn(codec::FieldMap(*found));
    return Status::OK();
  }
  Status failure;
  STARLOG_RETURN_IF_ERROR(ScanRecords(impl.reader(), element, [&](codec::FieldMap&& record) {
    auto match = bound.Matches(record, cache);
    if (!match.ok()) {
      failure = match.status();
      return false;
    }
    return !*match || fn(std::move(record));
  }));
  return failure;
}

// The forms without an order are the ordered ones' (ordered_queries.cc)
// with none.
Result<std::vector<codec::FieldMap>> RegistryView::QueryDataIds(
    const std::vector<std::string>& dimensions, const WhereClause& where,
    const std::optional<DatasetQuery>& datasets) const {
  return QueryDataIds(dimensions, where, datasets, RowOrder{});
}

Result<std::vector<codec::FieldMap>> RegistryView::QueryDimensionRecords(
    const std::string& element, const WhereClause& where) const {
  return QueryDimensionRecords(element, where, RowOrder{});
}

}  // namespace starlog::engine
