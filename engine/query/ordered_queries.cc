// QueryDataIds and QueryDimensionRecords with the butler's order_by and
// limit: the rows are found whole (made distinct, or scanned in key order),
// then ordered and cut. The names are bound before the query runs, so that
// a misspelt one is an error even when no row matches.

#include "engine/query/registry_view_impl.h"
#include "engine/query/row_order.h"

namespace starlog::engine {

namespace {

Status OrderAndLimit(const RegistryView::Impl& impl, const BoundOrder& bound, uint64_t limit,
                     std::vector<codec::FieldMap>* rows) {
  RecordCache records(impl);
  STARLOG_RETURN_IF_ERROR(bound.Sort(
      rows, [](const codec::FieldMap& row) -> const codec::FieldMap& { return row; }, records));
  if (limit != 0 && rows->size() > limit) {
    rows->erase(rows->begin() + static_cast<std::ptrdiff_t>(limit), rows->end());
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<codec::FieldMap>> RegistryView::QueryDataIds(
    const std::vector<std::string>& dimensions, const WhereClause& where,
    const std::optional<DatasetQuery>& datasets, const RowOrder& order) const {
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe().RequiredKeys(dimensions));
  STARLOG_ASSIGN_OR_RETURN(std::vector<OrderKey> parsed, ParseOrder(order.order_by));
  STARLOG_ASSIGN_OR_RETURN(BoundOrder bound, BoundOrder::Bind(universe(), parsed, keys));
  STARLOG_ASSIGN_OR_RETURN(auto rows, QueryDataIds(dimensions, where, datasets));
  STARLOG_RETURN_IF_ERROR(OrderAndLimit(*impl_, bound, order.limit, &rows));
  return rows;
}

Result<std::vector<codec::FieldMap>> RegistryView::QueryDimensionRecords(
    const std::string& element, const WhereClause& where, const RowOrder& order) const {
  const DimensionElement* e = universe().Find(element);
  if (e == nullptr) return QueryDimensionRecords(element, where);  // Its error.
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe().RequiredKeys({element}));
  STARLOG_ASSIGN_OR_RETURN(std::vector<OrderKey> parsed, ParseOrder(order.order_by));
  auto bound = BoundOrder::Bind(universe(), parsed, keys, e);
  if (!bound.ok()) {
    return Status::InvalidArgument(element + " records: " + std::string(bound.status().message()));
  }
  STARLOG_ASSIGN_OR_RETURN(auto rows, QueryDimensionRecords(element, where));
  STARLOG_RETURN_IF_ERROR(OrderAndLimit(*impl_, *bound, order.limit, &rows));
  return rows;
}

}  // namespace starlog::engine
