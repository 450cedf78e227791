#include <algorithm>

#include "engine/query/registry_view_impl.h"

namespace starlog::engine {

Result<codec::FieldMap> ImpliedValuesOf(const Universe& universe, RecordCache& records,
                                        const codec::FieldMap& data_id) {
  // Called once per row of a query: nothing is copied, and the walk holds
  // elements, not names.
  codec::FieldMap implied;
  std::vector<const DimensionElement*> pending;
  std::vector<const DimensionElement*> visited;
  const auto push = [&](std::string_view name) {
    const DimensionElement* e = universe.Find(name);
    if (e != nullptr && !e->implies.empty()) pending.push_back(e);
  };
  for (const auto& [key, value] : data_id) push(key);
  while (!pending.empty()) {
    const DimensionElement* e = pending.back();
    pending.pop_back();
    if (std::find(visited.begin(), visited.end(), e) != visited.end()) continue;
    visited.push_back(e);
    STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* record, records.Get(e->name, data_id, implied));
    // No record, or one that does not say: the value stays unknown rather
    // than guessed, and nothing it would imply in turn can be read.
    if (record == nullptr) continue;
    for (const std::string& target : e->implies) {
      auto it = record->find(target);
      if (it == record->end()) continue;
      if (data_id.find(target) == data_id.end()) implied.emplace(target, it->second);
      push(target);
    }
  }
  return implied;
}

Result<codec::FieldMap> RegistryView::ImpliedValues(const codec::FieldMap& data_id) const {
  RecordCache records(*impl_);
  return ImpliedValuesOf(universe(), records, data_id);
}

}  // namespace starlog::engine
