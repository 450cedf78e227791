#pragma once

// The butler's order_by over rows that carry data IDs (datasets, data IDs,
// dimension records): names bound once per query to what the rows' data IDs
// have, then a stable sort by the values each row reads.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/query/registry_view_impl.h"

namespace starlog::engine {

// "-exposure": descending by "exposure".
struct OrderKey {
  std::string name;
  bool descending = false;
};

// Each of "order_by" split from its "-"; InvalidArgument for one with no
// name ("-", "").
Result<std::vector<OrderKey>> ParseOrder(const std::vector<std::string>& order_by);

class BoundOrder {
 public:
  // "order" bound to data IDs with "keys" (BoundWhere::BindNames; "x.id"
  // is the key x, as the butler spells a dimension's primary key). With
  // "record_element", the rows are records of that element: a bare field of
  // it ("full_name") or "timespan.begin" / "timespan.end" names its own, as
  // the butler's query of records reads them. InvalidArgument names a name
  // that is none of these.
  static Result<BoundOrder> Bind(const Universe& universe, std::vector<OrderKey> order,
                                 const std::vector<std::string>& keys,
                                 const DimensionElement* record_element = nullptr);

  // Sorts "rows" stably by the order: "data_id_of(row)" is the data ID (or
  // record) each value is read from. A row without a value (no record, no
  // such field) comes after those with one, ascending or descending.
  template <typename Row, typename DataIdOf>
  Status Sort(std::vector<Row>* rows, const DataIdOf& data_id_of, RecordCache& records) const {
    std::vector<std::pair<SortKey, size_t>> keyed;
    keyed.reserve(rows->size());
    for (size_t i = 0; i < rows->size(); ++i) {
      STARLOG_ASSIGN_OR_RETURN(SortKey key, names_.Values(data_id_of((*rows)[i]), records));
      keyed.emplace_back(std::move(key), i);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [&](const auto& a, const auto& b) { return Before(a.first, b.first); });
    std::vector<Row> sorted;
    sorted.reserve(rows->size());
    for (const auto& entry : keyed) sorted.push_back(std::move((*rows)[entry.second]));
    *rows = std::move(sorted);
    return Status::OK();
  }

 private:
  using SortKey = std::vector<std::optional<codec::FieldValue>>;
  BoundOrder(std::vector<OrderKey> order, BoundWhere names)
      : order_(std::move(order)), names_(std::move(names)) {}
  bool Before(const SortKey& a, const SortKey& b) const;

  std::vector<OrderKey> order_;
  BoundWhere names_;  // One per order_ entry.
};

}  // namespace starlog::engine
