#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "engine/model/memberships.h"

namespace starlog::engine {

Status ApplyTag(const codec::Tag& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(
      RequireCollection(batch, e.collection, codec::CollectionType::kTagged, "associating datasets")
          .status());
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, RequireDataset(batch, id));
    STARLOG_ASSIGN_OR_RETURN(auto other, TaggedOccupant(batch, e.collection, record));
    if (other == id) continue;
    if (other) {
      STARLOG_ASSIGN_OR_RETURN(auto data_id, DatasetDataId(batch, ctx.universe, record));
      return Status::Conflict("collection " + Quoted(e.collection) + " already holds " +
                              record.type + " {" + codec::FieldMapToString(data_id) +
                              "} as dataset " + other->ToString() + "; cannot add " +
                              id.ToString());
    }
    STARLOG_RETURN_IF_ERROR(PutTagMembership(batch, e.collection, id, record));
  }
  return Status::OK();
}

Status ApplyUntag(const codec::Untag& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(RequireCollection(batch, e.collection, codec::CollectionType::kTagged,
                                            "disassociating datasets")
                              .status());
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, RequireDataset(batch, id));
    STARLOG_ASSIGN_OR_RETURN(auto other, TaggedOccupant(batch, e.collection, record));
    if (other != id) continue;  // Not tagged, or another dataset is: nothing to undo.
    STARLOG_RETURN_IF_ERROR(DeleteTagMembership(batch, e.collection, id, record));
  }
  return Status::OK();
}

}  // namespace starlog::engine
