#include "ingest/bundle_plan.h"

#include <filesystem>

#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::ingest::internal {

std::string RangeText(const codec::Timespan& t) {
  const auto bound = [](int64_t v, int64_t unbounded) {
    return v == unbounded ? std::string("unbounded") : std::to_string(v);
  };
  return "[" + bound(t.begin, codec::kUnboundedBegin) + ", " + bound(t.end, codec::kUnboundedEnd) +
         ")";
}

Result<bool> PlanDatasetType(const engine::RegistryView& view, const codec::RegisterDatasetType& t,
                             const ContentSource& source) {
  auto there = view.GetDatasetType(t.name);
  if (!there.ok()) {
    if (!there.status().IsNotFound()) return there.status();
    return true;
  }
  // The same dimension group, however spelled (as the engine compares
  // a registration again).
  STARLOG_ASSIGN_OR_RETURN(auto theirs, view.universe().NormalizeDimensions(there->dimensions));
  STARLOG_ASSIGN_OR_RETURN(auto ours, view.universe().NormalizeDimensions(t.dimensions));
  if (theirs != ours || there->storage_class != t.storage_class ||
      there->is_calibration != t.is_calibration) {
    return Status::Conflict("dataset type '" + t.name +
                            "' is in the repository with another definition; nothing was " +
                            source.verb);
  }
  return false;
}

Result<std::optional<engine::CollectionInfo>> PlanCollection(const engine::RegistryView& view,
                                                             const ButlerCollection& c,
                                                             const ContentSource& source) {
  STARLOG_ASSIGN_OR_RETURN(auto there, view.GetCollection(c.name));
  if (there && there->type != c.type) {
    return Status::Conflict(
        "collection '" + c.name + "' is " + std::string(codec::CollectionTypeName(there->type)) +
        " in the repository and " + std::string(codec::CollectionTypeName(c.type)) + " in the " +
        source.name + "; nothing was " + source.verb);
  }
  return there;
}

Result<bool> PlanChain(const engine::RegistryView& view, const std::string& name,
                       const std::vector<std::string>& children,
                       const std::optional<engine::CollectionInfo>& there,
                       const std::function<bool(const std::string&)>& in_bundle,
                       const ContentSource& source) {
  if (there) {
    if (there->children != children) {
      std::string theirs, ours;
      for (const std::string& child : there->children) theirs += " " + child;
      for (const std::string& child : children) ours += " " + child;
      return Status::Conflict("chain '" + name + "' is defined differently in the repository (" +
                              (theirs.empty() ? " none" : theirs) + " ) and the " + source.name +
                              " (" + (ours.empty() ? " none" : ours) + " ); nothing was " +
                              source.verb);
    }
    return false;
  }
  for (const std::string& child : children) {
    bool known = in_bundle(child);
    if (!known) {
      STARLOG_ASSIGN_OR_RETURN(auto child_there, view.GetCollection(child));
      known = child_there.has_value();
    }
    if (!known) {
      return Status::InvalidArgument(source.name + " chain '" + name + "' lists '" + child +
                                     "', which is neither in the " + source.name +
                                     " nor in the repository");
    }
  }
  return true;
}

Result<std::optional<engine::DatasetRef>> HolderIn(const engine::RegistryView& view,
                                                   const std::string& dataset_type,
                                                   const codec::FieldMap& data_id,
                                                   const std::string& collection) {
  auto found = view.FindDataset(dataset_type, data_id, {collection});
  if (found.ok()) return std::optional<engine::DatasetRef>(*found);
  if (found.status().IsNotFound()) return std::optional<engine::DatasetRef>();
  return found.status();
}

Result<bool> PlanDataset(const engine::RegistryView& view, const BundleDataset& d, bool run_there,
                         const ContentSource& source) {
  const std::string where = "dataset " + d.id.ToString();
  STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDataset(d.id));
  if (existing) {
    if (existing->dataset_type != d.dataset_type || existing->run != d.run ||
        existing->data_id != d.data_id) {
      return Status::Conflict(where + " is in the repository with other content (" +
                              existing->dataset_type + " in " + existing->run + ", " +
                              codec::FieldMapToString(existing->data_id) + "); nothing was " +
                              source.verb);
    }
    if (existing->artifact != d.artifact) {
      return Status::Conflict(
          where + " is already in the repository with " +
          (existing->artifact ? "another file (" + codec::Printable(existing->artifact->path) + ")"
                              : std::string("no file")) +
          "; nothing was " + source.verb);
    }
    return false;
  }
  if (run_there) {
    STARLOG_ASSIGN_OR_RETURN(auto holder, HolderIn(view, d.dataset_type, d.data_id, d.run));
    if (holder) {
      return Status::Conflict(where + ": its data ID " + codec::FieldMapToString(d.data_id) +
                              " is taken in RUN '" + d.run + "' by dataset " +
                              holder->id.ToString() + "; nothing was " + source.verb);
    }
  }
  return true;
}

Result<bool> PlanTag(const engine::RegistryView& view, const std::string& collection,
                     const codec::Uuid& id, const std::string& dataset_type,
                     const codec::FieldMap& data_id, const ContentSource& source) {
  STARLOG_ASSIGN_OR_RETURN(auto holder, HolderIn(view, dataset_type, data_id, collection));
  if (holder && holder->id == id) return false;
  if (holder) {
    return Status::Conflict("TAGGED '" + collection + "' holds dataset " + holder->id.ToString() +
                            " for " + dataset_type + " " + codec::FieldMapToString(data_id) +
                            ", the " + source.name + " " + id.ToString() + "; nothing was " +
                            source.verb);
  }
  return true;
}

Status CheckBundleFile(const std::string& root, const std::string& files,
                       const codec::Artifact& artifact) {
  const std::string& path = artifact.path;
  const std::string where = "bundle file " + codec::Printable(path);
  STARLOG_RETURN_IF_ERROR(engine::CheckTargetInRoot(root, path).WithContext(where));
  auto source = engine::ResolveFileInRoot(files, path);
  if (!source.ok() && !source.status().IsNotFound()) {
    return source.status().WithContext(where + " (in the bundle)");
  }
  if (source.ok()) {
    // A file of another size is refused before it is read: a hostile bundle
    // could name a huge one.
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(*source, ec);
    if (!ec && size != artifact.size) {
      return Status::Corruption(where + " is " + std::to_string(size) + " bytes, not the " +
                                std::to_string(artifact.size) + " recorded; nothing was imported");
    }
  }
  auto there = source.ok() ? engine::DescribeFile(files, path) : source.status();
  if (!there.ok() || there->size != artifact.size || there->checksum != artifact.checksum) {
    return Status::Corruption(
        where + (there.ok() ? " does not match its size and checksum" : " is missing") +
        "; nothing was imported");
  }
  return Status::OK();
}

}  // namespace starlog::ingest::internal
