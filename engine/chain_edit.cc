#include "starlog/engine/chain_edit.h"

#include <algorithm>
#include <set>

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
                                           const std::vector<std::string>& names) {
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
      for (const auto& n : names) {
        if (std::find(current.begin(), current.end(), n) == current.end()) {
          return Status::NotFound("'" + n + "' is not in the chain");
        }
      }
      return without(names);
    case ChainEdit::kPop: {
      std::set<size_t> positions;
      for (const auto& n : names) {
        size_t used = 0;
        long long index = -1;
        try {
          index = std::stoll(n, &used);
        } catch (...) {
          used = 0;
        }
        if (used != n.size() || index < 0) {
          return Status::InvalidArgument("pop takes child positions (0-based), not '" + n + "'");
        }
        if (static_cast<size_t>(index) >= current.size()) {
          return Status::InvalidArgument("the chain has " + std::to_string(current.size()) +
                                         " children; there is no position " + n);
        }
        positions.insert(static_cast<size_t>(index));
      }
      if (positions.empty()) {
        if (current.empty()) return Status::InvalidArgument("the chain is empty: nothing to pop");
        positions.insert(0);
      }
      std::vector<std::string> out;
      for (size_t i = 0; i < current.size(); ++i) {
        if (!positions.count(i)) out.push_back(current[i]);
      }
      return out;
    }
  }
  return Status::InvalidArgument("unknown chain edit");
}

}  // namespace starlog::engine
