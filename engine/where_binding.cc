#include <algorithm>

#include "engine/registry_view_impl.h"

namespace starlog::engine {

Result<const codec::FieldMap*> RecordCache::Get(const std::string& element,
                                                const codec::FieldMap& data_id) {
  STARLOG_ASSIGN_OR_RETURN(auto key_names, view_.universe().RequiredKeys({element}));
  codec::FieldMap keys_only;
  for (const std::string& k : key_names) {
    auto it = data_id.find(k);
    if (it == data_id.end()) return static_cast<const codec::FieldMap*>(nullptr);
    keys_only.emplace(k, it->second);
  }
  const std::string key = keys::DimensionRecord(element, EncodeDataId(keys_only));
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    STARLOG_ASSIGN_OR_RETURN(auto payload, view_.reader().Get(Family::kDimensionRecords, key));
    std::optional<codec::FieldMap> record;
    if (payload) {
      STARLOG_ASSIGN_OR_RETURN(auto value, keys::DecodeDimensionRecord(*payload));
      record = std::move(value.record);
    }
    cached = cache_.emplace(key, std::move(record)).first;
  }
  return cached->second ? &*cached->second : nullptr;
}

namespace {

// The shortest chain of elements from one of "keys" to "target", each
// implying the next (exposure -> physical_filter -> band); empty if none.
std::vector<std::string> ImpliedPath(const Universe& universe, const std::vector<std::string>& keys,
                                     const std::string& target) {
  std::vector<std::vector<std::string>> frontier;
  for (const std::string& k : keys) frontier.push_back({k});
  for (size_t depth = 0; depth < universe.elements().size() && !frontier.empty(); ++depth) {
    std::vector<std::vector<std::string>> next;
    for (const auto& path : frontier) {
      if (path.back() == target) return path;
      for (const std::string& implied : universe.Find(path.back())->implies) {
        auto longer = path;
        longer.push_back(implied);
        next.push_back(std::move(longer));
      }
    }
    frontier = std::move(next);
  }
  return {};
}

}  // namespace

Result<BoundWhere> BoundWhere::Bind(const Universe& universe, const WhereClause& where,
                                    const std::vector<std::string>& keys) {
  BoundWhere bound;
  bound.where_ = where;
  const auto has_key = [&](const std::string& k) {
    return std::binary_search(keys.begin(), keys.end(), k);
  };
  for (const WhereTerm& t : bound.where_.terms) {
    Term term{&t, {}, t.field};
    const ValueType* type = nullptr;
    if (t.element.empty()) {
      if (has_key(t.field)) {
        type = &universe.Find(t.field)->key_type;
      } else if (universe.Find(t.field) != nullptr) {
        // A dimension implied by the keys: read it from the record implying it.
        std::vector<std::string> path = ImpliedPath(universe, keys, t.field);
        if (path.size() >= 2) {
          path.pop_back();
          term.path = std::move(path);
          type = &universe.Find(t.field)->key_type;
        }
      }
    } else if (const DimensionElement* e = universe.Find(t.element)) {
      term.path = ImpliedPath(universe, keys, t.element);
      if (!term.path.empty()) type = universe.FieldType(*e, t.field);
    }
    if (type == nullptr) {
      std::string known;
      for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
      return Status::InvalidArgument("where: '" + t.ToString() +
                                     "' names nothing known for data IDs over {" + known + "}");
    }
    for (const codec::FieldValue& v : t.values) {
      if (std::holds_alternative<std::string>(v) != (*type == ValueType::kString)) {
        return Status::InvalidArgument(
            "where: '" + t.ToString() +
            "': " + (t.element.empty() ? t.field : t.element + "." + t.field) + " is " +
            std::string(ValueTypeName(*type)) + ", not '" + codec::FieldValueToString(v) + "'");
      }
    }
    bound.terms_.push_back(std::move(term));
  }
  return bound;
}

Result<bool> BoundWhere::Matches(const codec::FieldMap& data_id, RecordCache& records) const {
  for (const Term& t : terms_) {
    const codec::FieldMap* source = &data_id;
    if (!t.path.empty()) {
      codec::FieldMap expanded = data_id;
      for (size_t i = 0; i < t.path.size(); ++i) {
        STARLOG_ASSIGN_OR_RETURN(source, records.Get(t.path[i], expanded));
        if (source == nullptr) return false;  // No record: nothing to compare.
        if (i + 1 < t.path.size()) {
          auto implied = source->find(t.path[i + 1]);
          if (implied == source->end()) return false;
          expanded[t.path[i + 1]] = implied->second;
        }
      }
    }
    auto it = source->find(t.field);
    if (it == source->end() || !t.term->Matches(it->second)) return false;
  }
  return true;
}

}  // namespace starlog::engine
