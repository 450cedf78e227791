#pragma once

// The ways butler users redefine a CHAINED collection. Each computes the new
// list of children from the current one; the set-chain event then records
// that whole list, so replaying the log never depends on how it was edited.

#include <string>
#include <string_view>
#include <vector>

#include "starlog/result.h"

namespace starlog::engine {

enum class ChainEdit {
  kRedefine,  // The children become "names".
  kPrepend,   // "names" go first (moved there if already present).
  kExtend,    // "names" go last (moved there if already present).
  kRemove,    // "names" are taken out; one the chain does not hold is ignored.
  kPop,  // Takes out the children at the positions "names" holds (0 first, -1 last; default 0).
};

// "redefine", "prepend", "extend", "remove", "pop", as `collection-chain --mode` takes.
Result<ChainEdit> ParseChainEdit(std::string_view mode);

// The children after "edit" with "names" (each counted once, where it first
// stands) on "current".
Result<std::vector<std::string>> EditChain(const std::vector<std::string>& current, ChainEdit edit,
                                           const std::vector<std::string>& names);

}  // namespace starlog::engine
