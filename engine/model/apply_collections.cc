#include <set>

#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "engine/model/memberships.h"
#include "engine/store/key_coder.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

namespace {

Result<std::vector<std::string>> ChildrenOf(const IndexBatch& batch, std::string_view chain) {
  STARLOG_ASSIGN_OR_RETURN(auto payload, batch.Get(Family::kChains, keys::Chain(chain)));
  if (!payload) return std::vector<std::string>();
  return keys::DecodeChildren(*payload);
}

// Depth-first search from "from" through chains for "target"; fills "*path"
// with the chain of names leading there.
Result<bool> Reaches(const IndexBatch& batch, const std::string& from, const std::string& target,
                     std::vector<std::string>* path, std::set<std::string>* seen) {
  path->push_back(from);
  if (from == target) return true;
  if (seen->insert(from).second) {
    STARLOG_ASSIGN_OR_RETURN(auto children, ChildrenOf(batch, from));
    for (const std::string& child : children) {
      STARLOG_ASSIGN_OR_RETURN(bool found, Reaches(batch, child, target, path, seen));
      if (found) return true;
    }
  }
  path->pop_back();
  return false;
}

Status RemoveRunContents(const codec::RemoveCollection& e, IndexBatch& batch) {
  std::vector<std::pair<codec::Uuid, keys::DatasetRecord>> datasets;
  Status decode;
  STARLOG_RETURN_IF_ERROR(batch.Scan(Family::kDatasets, keys::DatasetPrefix(e.name),
                                     [&](std::string_view k, std::string_view v) {
                                       auto record = keys::DecodeDatasetKey(k);
                                       auto id = keys::DecodeUuid(v);
                                       if (!record.ok() || !id.ok()) {
                                         decode = Status::Corruption("datasets entry");
                                         return false;
                                       }
                                       datasets.emplace_back(*id, std::move(record).value());
                                       return e.with_datasets;
                                     }));
  STARLOG_RETURN_IF_ERROR(decode);
  if (!datasets.empty() && !e.with_datasets) {
    return Status::Conflict("RUN collection " + Quoted(e.name) +
                            " holds datasets; remove it with its datasets (remove-runs)");
  }
  for (const auto& [id, record] : datasets) {
    STARLOG_RETURN_IF_ERROR(RemoveDatasetEverywhere(batch, id, record));
  }
  return Status::OK();
}

Status RemoveTaggedContents(std::string_view collection, IndexBatch& batch) {
  std::vector<std::pair<codec::Uuid, keys::DatasetRecord>> tagged;
  Status decode;
  STARLOG_RETURN_IF_ERROR(batch.Scan(Family::kTags, keys::TagPrefix(collection),
                                     [&](std::string_view k, std::string_view v) {
                                       auto record = keys::DecodeDatasetKey(k);
                                       auto id = keys::DecodeUuid(v);
                                       if (!record.ok() || !id.ok()) {
                                         decode = Status::Corruption("tags entry");
                                         return false;
                                       }
                                       tagged.emplace_back(*id, std::move(record).value());
                                       return true;
                                     }));
  STARLOG_RETURN_IF_ERROR(decode);
  for (const auto& [id, r] : tagged) {
    // A tags key has the layout of a datasets key, with the collection as "run".
    STARLOG_RETURN_IF_ERROR(DeleteTagMembership(batch, collection, id, r));
  }
  return Status::OK();
}

Status RemoveCalibrationContents(std::string_view collection, IndexBatch& batch) {
  STARLOG_ASSIGN_OR_RETURN(auto entries,
                           CalibrationEntriesUnder(batch, keys::CalibrationPrefix(collection)));
  for (const auto& entry : entries) STARLOG_RETURN_IF_ERROR(DeleteCalibrationEntry(batch, entry));
  return Status::OK();
}

}  // namespace

Status ApplyCreateCollection(const codec::CreateCollection& e, ApplyContext& ctx) {
  STARLOG_RETURN_IF_ERROR(ValidateCollectionName(e.name));
  STARLOG_RETURN_IF_ERROR(
      ValidateText("doc of collection " + Quoted(e.name), e.doc, kMaxDocLength, true));
  STARLOG_ASSIGN_OR_RETURN(auto existing, FindCollection(ctx.batch, e.name));
  if (existing) {
    if (existing->type != e.type) {
      return Status::Conflict("collection " + Quoted(e.name) + " already exists as a " +
                              std::string(codec::CollectionTypeName(existing->type)) +
                              " collection, not " + std::string(codec::CollectionTypeName(e.type)));
    }
    if (existing->doc == e.doc) return Status::OK();  // Identical: nothing to do.
  }
  return ctx.batch.Put(Family::kCollections, keys::Collection(e.name),
                       keys::EncodeCollection({e.type, e.doc}));
}

Status ApplyRemoveCollection(const codec::RemoveCollection& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_ASSIGN_OR_RETURN(auto existing, FindCollection(batch, e.name));
  if (!existing) return Status::NotFound("no collection " + Quoted(e.name));
  std::string parent;
  Status decode;
  STARLOG_RETURN_IF_ERROR(batch.Scan(Family::kChainParents, keys::ChainParentPrefix(e.name),
                                     [&](std::string_view key, std::string_view) {
                                       auto chain = keys::ChainParentName(key);
                                       if (!chain.ok()) decode = chain.status();
                                       parent = chain.ok() ? *chain : "";
                                       return false;
                                     }));
  STARLOG_RETURN_IF_ERROR(decode);
  if (!parent.empty()) {
    return Status::Conflict("collection " + Quoted(e.name) + " is referenced by chain " +
                            Quoted(parent) + "; remove it from the chain first");
  }
  if (e.with_datasets && existing->type != codec::CollectionType::kRun) {
    return Status::InvalidArgument(Quoted(e.name) + " is " +
                                   std::string(codec::CollectionTypeName(existing->type)) +
                                   ", not a RUN: only RUN collections own datasets");
  }
  switch (existing->type) {
    case codec::CollectionType::kRun:
      STARLOG_RETURN_IF_ERROR(RemoveRunContents(e, batch));
      break;
    case codec::CollectionType::kTagged:
      STARLOG_RETURN_IF_ERROR(RemoveTaggedContents(e.name, batch));
      break;
    case codec::CollectionType::kCalibration:
      STARLOG_RETURN_IF_ERROR(RemoveCalibrationContents(e.name, batch));
      break;
    case codec::CollectionType::kChained: {
      STARLOG_ASSIGN_OR_RETURN(auto children, ChildrenOf(batch, e.name));
      for (const std::string& child : children) {
        STARLOG_RETURN_IF_ERROR(
            batch.Delete(Family::kChainParents, keys::ChainParent(child, e.name)));
      }
      STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kChains, keys::Chain(e.name)));
      break;
    }
  }
  return batch.Delete(Family::kCollections, keys::Collection(e.name));
}

Status ApplySetChain(const codec::SetChain& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(
      RequireCollection(batch, e.name, codec::CollectionType::kChained, "defining a chain")
          .status());
  std::set<std::string> unique;
  for (const std::string& child : e.children) {
    if (child == e.name) {
      return Status::Conflict("chain " + Quoted(e.name) + " cannot contain itself");
    }
    if (!unique.insert(child).second) {
      return Status::InvalidArgument("chain " + Quoted(e.name) + " lists " + Quoted(child) +
                                     " twice");
    }
    STARLOG_ASSIGN_OR_RETURN(auto record, FindCollection(batch, child));
    if (!record) {
      return Status::NotFound("chain " + Quoted(e.name) + ": no collection " + Quoted(child));
    }
    if (record->type == codec::CollectionType::kChained) {
      std::vector<std::string> path;
      std::set<std::string> seen;
      STARLOG_ASSIGN_OR_RETURN(bool cycle, Reaches(batch, child, e.name, &path, &seen));
      if (cycle) {
        std::string shown = e.name;
        for (const std::string& p : path) shown += " -> " + p;
        return Status::Conflict("chain " + Quoted(e.name) + " would form a cycle: " + shown);
      }
    }
  }
  STARLOG_ASSIGN_OR_RETURN(auto old_children, ChildrenOf(batch, e.name));
  for (const std::string& old : old_children) {
    if (!unique.count(old)) {
      STARLOG_RETURN_IF_ERROR(batch.Delete(Family::kChainParents, keys::ChainParent(old, e.name)));
    }
  }
  for (const std::string& child : e.children) {
    STARLOG_RETURN_IF_ERROR(batch.Put(Family::kChainParents, keys::ChainParent(child, e.name), ""));
  }
  if (e.children.empty()) return batch.Delete(Family::kChains, keys::Chain(e.name));
  return batch.Put(Family::kChains, keys::Chain(e.name), keys::EncodeChildren(e.children));
}

}  // namespace starlog::engine
