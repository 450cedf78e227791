#include "starlog/engine/chain_edit.h"

#include <algorithm>
#include <set>

#include "starlog/codec/numbers.h"

namespace starlog::engine {

Result<ChainEdit> ParseChainEdit(std::string_view mode) {
  if (mode == "redefine") return ChainEdit::kRedefine;
  if (mode == "prepend") return ChainEdit::kPrepend;
  if (mode == "extend") return ChainEdit::kExtend;
  if (mode == "remove") return ChainEdit::kRemove;
  if (mode == "pop") return ChainEdit::kPop;
  return Status::InvalidArgument("unknown chain mode '" + std::string(mode) +
                                 "'; use redefine, prepend, extend, remove or pop");
}

Result<std::vector<std::string>> EditChain(const std::vector<std::string>& current, ChainEdit edit,
                                           const std::vector<std::string>& given) {
  // A name given twice counts once, where it first stands (as the butler's
  // chains hold each child once).
  std::vector<std::string> names;
  for (const auto& n : given) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  const auto without = [&](const std::vector<std::string>& drop) {
    std::vector<std::string> out;
    for (const auto& c : current) {
      if (std::find(drop.begin(), drop.end(), c) == drop.end()) out.push_back(c);
    }
    return out;
  };
  switch (edit) {
    case ChainEdit::kRedefine:
      return names;
    case ChainEdit::kPrepend: {
      std::vector<std::string> out = names;
      for (const auto& c : without(names)) out.push_back(c);
      return out;
    }
    case ChainEdit::kExtend: {
      std::vector<std::string> out = without(names);
      out.insert(out.end(), names.begin(), names.end());
      return out;
    }
    case ChainEdit::kRemove:
      // A name the chain does not hold is left out quietly, as the
      // butler's remove_from_chain (that it names a collection at all is
      // for the caller, who can see the registry: PlanChainEdit).
      return without(names);
    case ChainEdit::kPop: {
      // Positions as Python counts them: 0 first, -1 last.
      const auto size = static_cast<int64_t>(current.size());
      std::set<int64_t> positions;
      for (const auto& n : names) {
        const std::optional<int64_t> parsed = codec::ParseInt(n);
        if (!parsed) {
          return Status::InvalidArgument("pop takes child positions (0 first, -1 last), not '" + n +
                                         "'");
        }
        const int64_t index = *parsed;
        if (index < -size || index >= size) {
          return Status::InvalidArgument("the chain has " + std::to_string(size) +
                                         " children; there is no position " + n);
        }
        positions.insert(index < 0 ? index + size : index);
      }
      if (positions.empty()) {
        if (current.empty()) return Status::InvalidArgument("the chain is empty: nothing to pop");
        positions.insert(0);
      }
      std::vector<std::string> out;
      for (int64_t i = 0; i < size; ++i) {
        if (!positions.count(i)) out.push_back(current[static_cast<size_t>(i)]);
      }
      return out;
    }
  }
  return Status::InvalidArgument("unknown chain edit");
}

}  // namespace starlog::engine
