#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"

namespace starlog::engine {

Status ApplyTag(const codec::Tag& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(
      RequireCollection(batch, e.collection, codec::CollectionType::kTagged, "associating datasets")
          .status());
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(batch, id));
    if (!record) return Status::NotFound("no dataset " + id.ToString());
    const std::string key = keys::TagEntry(e.collection, record->type, record->data_id);
    STARLOG_ASSIGN_OR_RETURN(auto occupant, batch.Get(Family::kTags, key));
    if (occupant) {
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid other, keys::DecodeUuid(*occupant));
      if (other == id) continue;
      STARLOG_ASSIGN_OR_RETURN(auto data_id, DecodeDataId(record->data_id));
      return Status::Conflict("collection " + Quoted(e.collection) + " already holds " +
                              record->type + " {" + codec::FieldMapToString(data_id) +
                              "} as dataset " + other.ToString() + "; cannot add " + id.ToString());
    }
    STARLOG_RETURN_IF_ERROR(batch.Put(Family::kTags, key, id.AsBytes()));
    STARLOG_RETURN_IF_ERROR(batch.Put(Family::kDatasetTags, keys::Membership(id, e.collection),
                                      keys::kTaggedMembership));
    STARLOG_RETURN_IF_ERROR(batch.Put(Family::kDatasetLookup,
                                      keys::Lookup(record->type, record->data_id, e.collection),
                                      id.AsBytes()));
  }
  return Status::OK();
}

Status ApplyUntag(const codec::Untag& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(RequireCollection(batch, e.collection, codec::CollectionType::kTagged,
                                            "disassociating datasets")
                              .status());
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(batch, id));
    if (!record) return Status::NotFound("no dataset " + id.ToString());
    const std::string key = keys::TagEntry(e.collection, record->type, record->data_id);
    STARLOG_ASSIGN_OR_RETURN(auto occupant, batch.Get(Family::kTags, key));
    if (!occupant) continue;  // Not tagged: nothing to undo.
    STARLOG_ASSIGN_OR_RETURN(codec::Uuid other, keys::DecodeUuid(*occupant));
    if (other != id) continue;
    STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kTags, key));
    STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kDatasetTags, keys::Membership(id, e.collection)));
    STARLOG_RETURN_IF_ERROR(batch.Delete(
        Family::kDatasetLookup, keys::Lookup(record->type, record->data_id, e.collection)));
  }
  return Status::OK();
}

}  // namespace starlog::engine
