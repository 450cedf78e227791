#include <map>
#include <set>

#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "engine/model/memberships.h"
#include "starlog/codec/event_text.h"

namespace starlog::engine {

Status ApplyCertify(const codec::Certify& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(
      RequireCalibrationType(batch, e.collection, e.dataset_type, "certifying calibrations", "")
          .status());
  // A validity [t, t) is the instant t, as Gen3's Timespan pads it: [t, t + 1 ns).
  std::vector<codec::CertifyEntry> entries = e.entries;
  for (codec::CertifyEntry& c : entries) {
    const codec::Timespan& v = c.validity;
    if (v.begin == v.end && v.begin != codec::kUnboundedBegin && v.end != codec::kUnboundedEnd) {
      c.validity.end = v.begin + 1;
    }
  }
  // Entries of this call, per data ID, to refuse overlaps among themselves.
  std::map<std::string, std::vector<const codec::CertifyEntry*>> in_call;
  for (const codec::CertifyEntry& c : entries) {
    const std::string where = "dataset " + c.id.ToString();
    if (c.validity.IsEmpty()) {
      return Status::InvalidArgument(where + ": validity " + codec::TimespanToString(c.validity) +
                                     " is empty");
    }
    STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(batch, c.id));
    if (!record) return Status::NotFound("no " + where);
    if (record->type != e.dataset_type) {
      return Status::InvalidArgument(where + " is a " + record->type + ", not a " + e.dataset_type);
    }
    for (const codec::CertifyEntry* other : in_call[record->data_id]) {
      if (other->validity.Overlaps(c.validity)) {
        return Status::Conflict("datasets " + other->id.ToString() + " " +
                                codec::TimespanToString(other->validity) + " and " +
                                c.id.ToString() + " " + codec::TimespanToString(c.validity) +
                                " overlap for the same data ID in one certification");
      }
    }
    in_call[record->data_id].push_back(&c);
    STARLOG_ASSIGN_OR_RETURN(auto old, OverlappingCalibration(batch, e.collection, e.dataset_type,
                                                              record->data_id, c.validity));
    if (old && old->id == c.id && old->validity == c.validity) continue;  // Already certified.
    if (old) {
      STARLOG_ASSIGN_OR_RETURN(auto data_id, DatasetDataId(batch, ctx.universe, *record));
      return Status::Conflict(where + " " + codec::TimespanToString(c.validity) +
                              " overlaps dataset " + old->id.ToString() + " " +
                              codec::TimespanToString(old->validity) + " for " + e.dataset_type +
                              " {" + codec::FieldMapToString(data_id) + "} in " +
                              Quoted(e.collection));
    }
    STARLOG_RETURN_IF_ERROR(PutCalibrationEntry(
        batch, {e.collection, e.dataset_type, record->data_id, c.id, c.validity}));
  }
  return Status::OK();
}

Status ApplyDecertify(const codec::Decertify& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  // Nothing of a type that is no calibration type can be certified, so
  // "nothing to decertify" would hide a wrong type name (as the butler, refuse it).
  STARLOG_ASSIGN_OR_RETURN(auto type, RequireCalibrationType(batch, e.collection, e.dataset_type,
                                                             "decertifying calibrations",
                                                             "; there is nothing to decertify"));
  if (e.span.IsEmpty()) {
    return Status::InvalidArgument("decertify span " + codec::TimespanToString(e.span) +
                                   " is empty");
  }
  std::vector<keys::CalibrationEntry> entries;
  if (e.data_ids.empty()) {
    STARLOG_ASSIGN_OR_RETURN(
        entries,
        CalibrationEntriesUnder(batch, keys::CalibrationPrefix(e.collection, e.dataset_type)));
  } else {
    STARLOG_ASSIGN_OR_RETURN(auto required, ctx.universe.RequiredKeys(type.dimensions));
    // A data ID named twice is one data ID: its entries are trimmed once
    // (PutCalibrationEntry writes a piece without reading what is there).
    std::set<std::string> named;
    for (const codec::FieldMap& d : e.data_ids) {
      STARLOG_RETURN_IF_ERROR(ctx.universe.ValidateDataId(required, d));
      STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(d, required));
      if (!named.insert(values).second) continue;
      STARLOG_ASSIGN_OR_RETURN(
          auto some, CalibrationEntriesUnder(
                         batch, keys::CalibrationPrefix(e.collection, e.dataset_type, values)));
      entries.insert(entries.end(), some.begin(), some.end());
    }
  }
  for (const keys::CalibrationEntry& entry : entries) {
    if (!entry.validity.Overlaps(e.span)) continue;
    STARLOG_RETURN_IF_ERROR(DeleteCalibrationEntry(batch, entry));
    // What lies outside the span stays certified: trimmed, or split in two.
    if (entry.validity.begin < e.span.begin) {
      keys::CalibrationEntry before = entry;
      before.validity.end = e.span.begin;
      STARLOG_RETURN_IF_ERROR(PutCalibrationEntry(batch, before));
    }
    if (e.span.end < entry.validity.end) {
      keys::CalibrationEntry after = entry;
      after.validity.begin = e.span.end;
      STARLOG_RETURN_IF_ERROR(PutCalibrationEntry(batch, after));
    }
  }
  return Status::OK();
}

}  // namespace starlog::engine
