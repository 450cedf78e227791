#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "starlog/codec/coding.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

Status ApplyInitRepository(const codec::InitRepository& e, ApplyContext& ctx) {
  if (ctx.batch.sequence() != 1) {
    return Status::InvalidArgument("init-repository can only be the first event");
  }
  STARLOG_RETURN_IF_ERROR(Universe::Parse(e.universe).status());
  return ctx.batch.Put(Family::kSettings, keys::Setting(keys::kUniverseSetting), e.universe);
}

Status ApplyCreateSnapshot(const codec::CreateSnapshot& e, ApplyContext& ctx) {
  STARLOG_RETURN_IF_ERROR(ValidateCollectionName(e.name).WithContext("snapshot name"));
  const uint64_t head = ctx.batch.sequence() - 1;
  if (e.sequence < 1 || e.sequence > head) {
    return Status::InvalidArgument("snapshot " + Quoted(e.name) + " at sequence " +
                                   std::to_string(e.sequence) + ": the log holds 1 to " +
                                   std::to_string(head));
  }
  STARLOG_ASSIGN_OR_RETURN(auto existing,
                           ctx.batch.Get(Family::kSnapshots, keys::Snapshot(e.name)));
  if (existing) return Status::Conflict("snapshot " + Quoted(e.name) + " already exists");
  std::string value;
  codec::PutBigEndian64(&value, e.sequence);
  return ctx.batch.Put(Family::kSnapshots, keys::Snapshot(e.name), value);
}

}  // namespace starlog::engine
