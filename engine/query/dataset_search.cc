// The butler's query-datasets over several dataset types: which types a list
// of names and patterns names, each type searched in turn, its rows in the
// order asked, and a limit over them all.

#include <set>

#include "engine/query/registry_view_impl.h"
#include "engine/query/row_order.h"
#include "starlog/engine/glob.h"

namespace starlog::engine {

namespace {

// The rows of "query"'s type, ordered by "order" (stable: ties keep the
// search order). A temporal join's rows are ordered by their joined keys
// too (a bias's exposure).
Status SortRows(const RegistryView& view, const RegistryView::Impl& impl, const DatasetQuery& query,
                const std::vector<OrderKey>& order, std::vector<DatasetRef>* rows) {
  const std::string& dataset_type = query.dataset_type;
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, view.GetDatasetType(dataset_type));
  STARLOG_ASSIGN_OR_RETURN(auto required, view.universe().RequiredKeys(type.dimensions));
  std::vector<std::string> dimensions = type.dimensions;
  for (std::string& extra : ExtraDimensions(view.universe(), query.where, required)) {
    dimensions.push_back(std::move(extra));
  }
  STARLOG_ASSIGN_OR_RETURN(auto keys, view.universe().RequiredKeys(dimensions));
  auto bound = BoundOrder::Bind(view.universe(), order, keys);
  if (!bound.ok()) {
    return Status::InvalidArgument(dataset_type + ": " + std::string(bound.status().message()));
  }
  RecordCache records(impl);
  return bound->Sort(
      rows,
      [](const DatasetRef& ref) {
        codec::FieldMap data_id = ref.data_id;
        data_id.insert(ref.joined.begin(), ref.joined.end());
        return data_id;
      },
      records);
}

}  // namespace

Result<std::vector<std::string>> RegistryView::MatchDatasetTypes(
    const std::vector<std::string>& patterns) const {
  std::set<std::string> names;
  std::vector<std::string> globs;
  for (const std::string& p : patterns) {
    if (HasGlobCharacters(p)) {
      globs.push_back(p);
    } else {
      STARLOG_RETURN_IF_ERROR(GetDatasetType(p).status());
      names.insert(p);
    }
  }
  if (patterns.empty() || !globs.empty()) {
    STARLOG_ASSIGN_OR_RETURN(auto matched, QueryDatasetTypes(globs));
    for (const DatasetTypeInfo& t : matched) names.insert(t.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Status RegistryView::ForEachDataset(const DatasetSearch& search, const DatasetFn& fn) const {
  STARLOG_ASSIGN_OR_RETURN(std::vector<OrderKey> order, ParseOrder(search.order_by));
  STARLOG_ASSIGN_OR_RETURN(std::vector<std::string> types, MatchDatasetTypes(search.dataset_types));
  uint64_t given = 0;
  bool stopped = false;
  // Hands on one row; false once the caller or the limit says stop.
  const auto give = [&](DatasetRef&& ref) {
    stopped = !fn(std::move(ref)) || (search.limit != 0 && ++given >= search.limit);
    return !stopped;
  };
  for (const std::string& type : types) {
    if (stopped) break;
    DatasetQuery query = search.query;
    query.dataset_type = type;
    if (order.empty()) {
      STARLOG_RETURN_IF_ERROR(ForEachDataset(query, give));
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(std::vector<DatasetRef> rows, QueryDatasets(query));
    STARLOG_RETURN_IF_ERROR(SortRows(*this, *impl_, query, order, &rows));
    for (DatasetRef& ref : rows) {
      if (!give(std::move(ref))) break;
    }
  }
  return Status::OK();
}

Result<std::vector<DatasetRef>> RegistryView::QueryDatasets(const DatasetSearch& search) const {
  std::vector<DatasetRef> out;
  STARLOG_RETURN_IF_ERROR(ForEachDataset(search, [&](DatasetRef&& ref) {
    out.push_back(std::move(ref));
    return true;
  }));
  return out;
}

}  // namespace starlog::engine
