#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

namespace {

// The record of "element" whose keys are taken from "fields"; nullopt if absent.
Result<std::optional<std::string>> FindRecord(const IndexBatch& batch, const Universe& universe,
                                              const std::string& element,
                                              const codec::FieldMap& fields) {
  STARLOG_ASSIGN_OR_RETURN(auto key_names, universe.RequiredKeys({element}));
  for (const std::string& k : key_names) {
    if (!fields.count(k)) return std::optional<std::string>();
  }
  STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(fields, key_names));
  return batch.Get(Family::kDimensionRecords, keys::DimensionRecord(element, values));
}

}  // namespace

Status ApplyInsertDimensionRecords(const codec::InsertDimensionRecords& e, ApplyContext& ctx) {
  const Universe& u = ctx.universe;
  const DimensionElement* element = u.Find(e.element);
  if (element == nullptr) return Status::InvalidArgument("unknown dimension " + Quoted(e.element));
  STARLOG_ASSIGN_OR_RETURN(auto key_names, u.RequiredKeys({e.element}));

  // String-keyed elements number their records in insertion order, for packing.
  uint64_t next_ordinal = 0;
  if (element->key_type == ValueType::kString) {
    STARLOG_RETURN_IF_ERROR(ctx.batch.Scan(Family::kDimensionRecords,
                                           keys::DimensionRecordPrefix(e.element),
                                           [&](std::string_view, std::string_view) {
                                             ++next_ordinal;
                                             return true;
                                           }));
  }
  for (const codec::FieldMap& record : e.records) {
    const std::string shown = "{" + codec::FieldMapToString(record) + "}";
    codec::FieldMap keys_only;
    for (const std::string& k : key_names) {
      auto it = record.find(k);
      if (it == record.end()) {
        return Status::InvalidArgument(e.element + " record " + shown + " is missing " + Quoted(k));
      }
      keys_only.emplace(k, it->second);
    }
    for (const auto& [name, value] : record) {
      const ValueType* type = u.FieldType(*element, name);
      if (type == nullptr) {
        return Status::InvalidArgument(e.element + " record " + shown + ": unknown field " +
                                       Quoted(name));
      }
      if (std::holds_alternative<std::string>(value) != (*type == ValueType::kString)) {
        return Status::InvalidArgument(e.element + " record " + shown + ": " + Quoted(name) +
                                       " must be " + std::string(ValueTypeName(*type)));
      }
      if (const auto* text = std::get_if<std::string>(&value)) {
        STARLOG_RETURN_IF_ERROR(ValidateText(e.element + "." + name, *text, kMaxRecordValueLength));
      }
    }
    // The records this one depends on must exist (as foreign keys would insist).
    std::vector<std::string> deps = element->required;
    for (const std::string& implied : element->implies) {
      if (record.count(implied)) deps.push_back(implied);
    }
    for (const std::string& dep : deps) {
      STARLOG_ASSIGN_OR_RETURN(auto found, FindRecord(ctx.batch, u, dep, record));
      if (!found) {
        return Status::NotFound(e.element + " record " + shown + " refers to a " + dep +
                                " that has no record; insert that first");
      }
    }
    STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(keys_only, key_names));
    const std::string key = keys::DimensionRecord(e.element, values);
    STARLOG_ASSIGN_OR_RETURN(auto existing, ctx.batch.Get(Family::kDimensionRecords, key));
    uint64_t ordinal = 0;
    if (existing) {
      STARLOG_ASSIGN_OR_RETURN(auto old, keys::DecodeDimensionRecord(*existing));
      if (old.record == record) continue;
      if (!e.replace) {
        return Status::Conflict(e.element + " record {" + codec::FieldMapToString(keys_only) +
                                "} already exists as {" + codec::FieldMapToString(old.record) +
                                "}; pass replace to overwrite it");
      }
      ordinal = old.ordinal;
    } else if (element->key_type == ValueType::kString) {
      ordinal = ++next_ordinal;
    }
    STARLOG_RETURN_IF_ERROR(ctx.batch.Put(Family::kDimensionRecords, key,
                                          keys::EncodeDimensionRecord(ordinal, record)));
  }
  return Status::OK();
}

}  // namespace starlog::engine
