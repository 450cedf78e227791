#pragma once

// DMTN-167's naming conventions for shared repositories (seeds/004, table 1),
// checked against the collections a repository holds: which names must be
// which collection type, and which names are not part of the scheme at all.
// <instrument> is any instrument with a dimension record.

#include <string>
#include <vector>

#include "starlog/engine/registry_view.h"

namespace starlog::engine {

struct ConventionFinding {
  std::string collection;
  codec::CollectionType type = codec::CollectionType::kRun;
  std::string convention;  // The pattern it falls under, e.g. "<instrument>/raw/all".
  std::string problem;
};

Result<std::vector<ConventionFinding>> CheckConventions(const RegistryView& view);

}  // namespace starlog::engine
