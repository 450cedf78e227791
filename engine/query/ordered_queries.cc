// QueryDataIds and QueryDimensionRecords with the butler's order_by and
// limit. Without order_by the rows stream (query_data_ids.cc) and the limit
// stops the query at its last row; with it every row is found (made
// distinct, or scanned in key order), then ordered and cut. The names are
// bound before the query runs, so that a misspelt one is an error even when
// no row matches.

#include "engine/query/registry_view_impl.h"
#include "engine/query/row_order.h"

namespace starlog::engine {

namespace {

// The rows "stream" hands on, to "fn" in "bound"'s order (when it has
// names), at most "limit" (0: all).
using StreamFn = std::function<Status(const RegistryView::FieldMapFn& fn)>;
Status Ordered(const RegistryView::Impl& impl, const BoundOrder& bound, const RowOrder& order,
               const StreamFn& stream, const RegistryView::FieldMapFn& fn) {
  uint64_t given = 0;
  if (order.order_by.empty()) {
    if (order.limit == 0) return stream(fn);
    return stream(
        [&](codec::FieldMap&& row) { return fn(std::move(row)) && ++given < order.limit; });
  }
  std::vector<codec::FieldMap> rows;
  STARLOG_RETURN_IF_ERROR(stream([&](codec::FieldMap&& row) {
    rows.push_back(std::move(row));
    return true;
  }));
  RecordCache records(impl);
  STARLOG_RETURN_IF_ERROR(bound.Sort(
      &rows, [](const codec::FieldMap& row) -> const codec::FieldMap& { return row; }, records));
  for (codec::FieldMap& row : rows) {
    if (order.limit != 0 && given++ == order.limit) break;
    if (!fn(std::move(row))) break;
  }
  return Status::OK();
}

Result<std::vector<codec::FieldMap>> Collect(const StreamFn& each) {
  std::vector<codec::FieldMap> out;
  STARLOG_RETURN_IF_ERROR(each([&](codec::FieldMap&& row) {
    out.push_back(std::move(row));
    return true;
  }));
  return out;
}

}  // namespace

Status RegistryView::ForEachDataId(const std::vector<std::string>& dimensions,
                                   const WhereClause& where,
                                   const std::optional<DatasetQuery>& datasets,
                                   const RowOrder& order, const FieldMapFn& fn) const {
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe().RequiredKeys(dimensions));
  STARLOG_ASSIGN_OR_RETURN(std::vector<OrderKey> parsed, ParseOrder(order.order_by));
  STARLOG_ASSIGN_OR_RETURN(BoundOrder bound, BoundOrder::Bind(universe(), parsed, keys));
  return Ordered(
      *impl_, bound, order,
      [&](const FieldMapFn& each) {
        return StreamDataIds(*this, *impl_, dimensions, where, datasets, each);
      },
      fn);
}

Result<std::vector<codec::FieldMap>> RegistryView::QueryDataIds(
    const std::vector<std::string>& dimensions, const WhereClause& where,
    const std::optional<DatasetQuery>& datasets, const RowOrder& order) const {
  return Collect([&](const FieldMapFn& each) {
    return ForEachDataId(dimensions, where, datasets, order, each);
  });
}

Status RegistryView::ForEachDimensionRecord(const std::string& element, const WhereClause& where,
                                            const RowOrder& order, const FieldMapFn& fn) const {
  const DimensionElement* e = universe().Find(element);
  if (e == nullptr) return StreamDimensionRecords(*this, *impl_, element, where, fn);  // Its error.
  STARLOG_ASSIGN_OR_RETURN(auto keys, universe().RequiredKeys({element}));
  STARLOG_ASSIGN_OR_RETURN(std::vector<OrderKey> parsed, ParseOrder(order.order_by));
  auto bound = BoundOrder::Bind(universe(), parsed, keys, e);
  if (!bound.ok()) {
    return Status::InvalidArgument(element + " records: " + std::string(bound.status().message()));
  }
  return Ordered(
      *impl_, *bound, order,
      [&](const FieldMapFn& each) {
        return StreamDimensionRecords(*this, *impl_, element, where, each);
      },
      fn);
}

Result<std::vector<codec::FieldMap>> RegistryView::QueryDimensionRecords(
    const std::string& element, const WhereClause& where, const RowOrder& order) const {
  return Collect(
      [&](const FieldMapFn& each) { return ForEachDimensionRecord(element, where, order, each); });
}

}  // namespace starlog::engine
