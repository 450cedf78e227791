#include "engine/query/row_order.h"

namespace starlog::engine {

Result<std::vector<OrderKey>> ParseOrder(const std::vector<std::string>& order_by) {
  std::vector<OrderKey> out;
  for (const std::string& item : order_by) {
    OrderKey key;
    key.descending = !item.empty() && item[0] == '-';
    key.name = key.descending ? item.substr(1) : item;
    if (key.name.empty()) {
      return Status::InvalidArgument("order by '" + item + "': give a name after the '-'");
    }
    out.push_back(std::move(key));
  }
  return out;
}

namespace {

// The name BindNames reads for "name": "x.id" is the key x; for records of
// "element", its own bare fields and timespan bounds are qualified with it,
// since a record's row is that element's (another element reached from its
// keys may have a field so named: day_obs has a timespan too).
std::string Qualified(const Universe& universe, const std::string& name,
                      const std::vector<std::string>& keys, const DimensionElement* element) {
  constexpr std::string_view kId = ".id";
  if (name.size() > kId.size() && name.ends_with(kId)) {
    const std::string dimension = name.substr(0, name.size() - kId.size());
    if (std::find(keys.begin(), keys.end(), dimension) != keys.end()) return dimension;
  }
  if (element == nullptr) return name;
  if (name == "timespan.begin" || name == "timespan.end") {
    if (universe.FieldType(*element, "timespan_" + name.substr(9)) != nullptr) {
      return element->name + "." + name;
    }
    return name;
  }
  const bool bare = name.find('.') == std::string::npos;
  if (bare && universe.Find(name) == nullptr && universe.FieldType(*element, name) != nullptr) {
    return element->name + "." + name;
  }
  return name;
}

// -1 if "a" comes before "b" in "key"'s direction, 1 if after, 0 if equal;
// a missing value after every value either way.
int Compare(const std::optional<codec::FieldValue>& a, const std::optional<codec::FieldValue>& b,
            const OrderKey& key) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  if (*a == *b) return 0;
  return (*a < *b) != key.descending ? -1 : 1;
}

}  // namespace

Result<BoundOrder> BoundOrder::Bind(const Universe& universe, std::vector<OrderKey> order,
                                    const std::vector<std::string>& keys,
                                    const DimensionElement* record_element) {
  std::vector<std::string> names;
  for (const OrderKey& k : order)
    names.push_back(Qualified(universe, k.name, keys, record_element));
  STARLOG_ASSIGN_OR_RETURN(BoundWhere bound, BoundWhere::BindNames(universe, names, keys));
  return BoundOrder(std::move(order), std::move(bound));
}

bool BoundOrder::Before(const SortKey& a, const SortKey& b) const {
  for (size_t k = 0; k < order_.size(); ++k) {
    const int c = Compare(a[k], b[k], order_[k]);
    if (c != 0) return c < 0;
  }
  return false;
}

}  // namespace starlog::engine
