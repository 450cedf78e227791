#include <set>

#include "engine/query/registry_view_impl.h"

namespace starlog::engine {

Result<codec::FieldMap> ImpliedValuesOf(const Universe& universe, RecordCache& records,
                                        const codec::FieldMap& data_id) {
  codec::FieldMap known = data_id;
  codec::FieldMap implied;
  std::vector<std::string> pending;
  for (const auto& [key, value] : data_id) pending.push_back(key);
  std::set<std::string> visited;
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!visited.insert(name).second) continue;
    const DimensionElement* e = universe.Find(name);
    if (e == nullptr || e->implies.empty()) continue;
    STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* record, records.Get(name, known));
    // No record, or one that does not say: the value stays unknown rather
    // than guessed, and nothing it would imply in turn can be read.
    if (record == nullptr) continue;
    for (const std::string& target : e->implies) {
      auto it = record->find(target);
      if (it == record->end()) continue;
      if (known.emplace(target, it->second).second) implied.emplace(target, it->second);
      pending.push_back(target);
    }
  }
  return implied;
}

Result<codec::FieldMap> RegistryView::ImpliedValues(const codec::FieldMap& data_id) const {
  RecordCache records(*impl_);
  return ImpliedValuesOf(universe(), records, data_id);
}

}  // namespace starlog::engine
