#include "engine/apply_rules.h"
#include "engine/registry_keys.h"

namespace starlog::engine {

Status ApplyInitRepository(const codec::InitRepository& e, IndexBatch* batch) {
  if (batch->sequence() != 1) {
    return Status::InvalidArgument("init-repository can only be the first event");
  }
  return batch->Put(Family::kSettings, keys::Setting(keys::kUniverseSetting), e.universe);
}

}  // namespace starlog::engine
