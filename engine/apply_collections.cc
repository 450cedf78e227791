#include "engine/apply_rules.h"
#include "engine/key_coder.h"
#include "engine/names.h"
#include "engine/registry_keys.h"

namespace starlog::engine {

namespace {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Status ApplyCreateCollection(const codec::CreateCollection& e, IndexBatch* batch) {
  STARLOG_RETURN_IF_ERROR(ValidateCollectionName(e.name));
  STARLOG_ASSIGN_OR_RETURN(auto existing,
                           batch->Get(Family::kCollections, keys::Collection(e.name)));
  if (existing) {
    STARLOG_ASSIGN_OR_RETURN(keys::CollectionRecord record, keys::DecodeCollection(*existing));
    if (record.type != e.type) {
      return Status::Conflict("collection " + Quoted(e.name) + " already exists as a " +
                              std::string(codec::CollectionTypeName(record.type)) +
                              " collection, not " + std::string(codec::CollectionTypeName(e.type)));
    }
    if (record.doc == e.doc) return Status::OK();  // Identical: nothing to do.
  }
  return batch->Put(Family::kCollections, keys::Collection(e.name),
                    keys::EncodeCollection({e.type, e.doc}));
}

Status ApplyRemoveCollection(const codec::RemoveCollection& e, IndexBatch* batch) {
  STARLOG_ASSIGN_OR_RETURN(auto existing,
                           batch->Get(Family::kCollections, keys::Collection(e.name)));
  if (!existing) return Status::NotFound("no collection " + Quoted(e.name));
  std::string parent;
  STARLOG_RETURN_IF_ERROR(batch->Scan(Family::kChainParents, keys::ChainParentPrefix(e.name),
                                      [&](std::string_view key, std::string_view) {
                                        KeyReader r(key);
                                        static_cast<void>(r.String());
                                        auto chain = r.String();
                                        if (chain.ok()) parent = *chain;
                                        return false;
                                      }));
  if (!parent.empty()) {
    return Status::Conflict("collection " + Quoted(e.name) + " is referenced by chain " +
                            Quoted(parent) + "; remove it from the chain first");
  }
  STARLOG_RETURN_IF_ERROR(batch->Delete(Family::kCollections, keys::Collection(e.name)));
  return batch->Delete(Family::kChains, keys::Chain(e.name));
}

}  // namespace starlog::engine
