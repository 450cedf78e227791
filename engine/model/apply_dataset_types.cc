#include <algorithm>

#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

namespace {

std::string Describe(const keys::DatasetTypeRecord& r) {
  std::string dims;
  for (const auto& d : r.dimensions) dims += (dims.empty() ? "" : ", ") + d;
  return "{" + dims + "} " + r.storage_class + (r.is_calibration ? " calibration" : "");
}

}  // namespace

Status ApplyRegisterDatasetType(const codec::RegisterDatasetType& e, ApplyContext& ctx) {
  STARLOG_RETURN_IF_ERROR(ValidateDatasetTypeName(e.name));
  if (e.name.find('.') != std::string::npos) {
    return Status::InvalidArgument("dataset type " + Quoted(e.name) +
                                   " names a component; register its parent " +
                                   Quoted(e.name.substr(0, e.name.find('.'))) +
                                   " and address the component as parent.component");
  }
  if (ctx.universe.Find(e.name) != nullptr) {
    // A where clause or a data ID could not tell the two apart (the butler
    // refuses such names too).
    return Status::InvalidArgument("dataset type " + Quoted(e.name) +
                                   " has the name of a dimension; choose another");
  }
  if (e.storage_class.empty()) {
    return Status::InvalidArgument("dataset type " + Quoted(e.name) + " needs a storage class");
  }
  STARLOG_RETURN_IF_ERROR(ValidateText("storage class of dataset type " + Quoted(e.name),
                                       e.storage_class, kMaxShortTextLength));
  keys::DatasetTypeRecord record{e.dimensions, e.storage_class, e.is_calibration};
  std::sort(record.dimensions.begin(), record.dimensions.end());
  if (std::adjacent_find(record.dimensions.begin(), record.dimensions.end()) !=
      record.dimensions.end()) {
    return Status::InvalidArgument("dataset type " + Quoted(e.name) + " lists a dimension twice");
  }
  for (const std::string& d : record.dimensions) {
    const DimensionElement* element = ctx.universe.Find(d);
    if (element == nullptr) {
      return Status::InvalidArgument("dataset type " + Quoted(e.name) + ": unknown dimension " +
                                     Quoted(d));
    }
    if (element->join) {
      return Status::InvalidArgument("dataset type " + Quoted(e.name) + ": " + Quoted(d) +
                                     " relates dimensions and is none itself; name those");
    }
  }
  STARLOG_ASSIGN_OR_RETURN(auto existing,
                           ctx.batch.Get(Family::kDatasetTypes, keys::DatasetType(e.name)));
  if (existing) {
    STARLOG_ASSIGN_OR_RETURN(auto old, keys::DecodeDatasetType(*existing));
    if (old == record) return Status::OK();  // Identical: a no-op.
    // The same data IDs spelled otherwise (with an implied band, without
    // the skymap tract requires) are the same definition, as the butler's
    // dimension groups compare; the first spelling stays.
    if (old.storage_class == record.storage_class && old.is_calibration == record.is_calibration) {
      STARLOG_ASSIGN_OR_RETURN(auto old_form, ctx.universe.NormalizeDimensions(old.dimensions));
      STARLOG_ASSIGN_OR_RETURN(auto new_form, ctx.universe.NormalizeDimensions(record.dimensions));
      if (old_form == new_form) return Status::OK();
    }
    return Status::Conflict("dataset type " + Quoted(e.name) + " is already registered as " +
                            Describe(old) + ", not " + Describe(record));
  }
  return ctx.batch.Put(Family::kDatasetTypes, keys::DatasetType(e.name),
                       keys::EncodeDatasetType(record));
}

Status ApplyRemoveDatasetType(const codec::RemoveDatasetType& e, ApplyContext& ctx) {
  if (e.name.find('.') != std::string::npos) {
    return Status::InvalidArgument(Quoted(e.name) +
                                   " is a component; components cannot be removed on their own");
  }
  STARLOG_ASSIGN_OR_RETURN(auto existing,
                           ctx.batch.Get(Family::kDatasetTypes, keys::DatasetType(e.name)));
  if (!existing) return Status::OK();  // As Gen3's: removing an absent type does nothing.
  std::string where;
  Status decode;
  STARLOG_RETURN_IF_ERROR(ctx.batch.Scan(Family::kDatasetLookup, keys::LookupPrefix(e.name),
                                         [&](std::string_view k, std::string_view) {
                                           auto key = keys::DecodeLookup(k);
                                           if (!key.ok()) decode = key.status();
                                           where = key.ok() ? key->collection : "?";
                                           return false;
                                         }));
  STARLOG_RETURN_IF_ERROR(decode);
  if (!where.empty()) {
    return Status::Conflict("dataset type " + Quoted(e.name) + " still has datasets (e.g. in " +
                            Quoted(where) + "); prune them first");
  }
  // Calibration-only memberships need a dataset, so no lookup entry means none.
  return ctx.batch.Delete(Family::kDatasetTypes, keys::DatasetType(e.name));
}

}  // namespace starlog::engine
