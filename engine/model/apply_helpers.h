#pragma once

// Reads of the registry state that several transition rules share.

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/registry_keys.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/text.h"
#include "starlog/engine/universe.h"

namespace starlog::engine {

using codec::Quoted;

Result<std::optional<keys::CollectionRecord>> FindCollection(const IndexBatch& batch,
                                                             std::string_view name);
// NotFound if absent; Conflict if not of "type" (the message says what
// "action" needed).
Result<keys::CollectionRecord> RequireCollection(const IndexBatch& batch, std::string_view name,
                                                 codec::CollectionType type,
                                                 std::string_view action);

// The calibration type "type_name" and its CALIBRATION "collection", as
// certify and decertify need them. NotFound or Conflict as RequireCollection
// says; NotFound for no such type; InvalidArgument, its message ending in
// "suffix", if the type is no calibration type.
Result<keys::DatasetTypeRecord> RequireCalibrationType(const IndexBatch& batch,
                                                       std::string_view collection,
                                                       std::string_view type_name,
                                                       std::string_view action,
                                                       std::string_view suffix);

Result<keys::DatasetTypeRecord> RequireDatasetType(const IndexBatch& batch, std::string_view name);

Result<std::optional<keys::DatasetRecord>> FindDataset(const IndexBatch& batch,
                                                       const codec::Uuid& id);

// NotFound ("no dataset <id>") if absent.
Result<keys::DatasetRecord> RequireDataset(const IndexBatch& batch, const codec::Uuid& id);

// The data ID of "record", named by its type's keys (its key holds only the
// values), for messages.
Result<codec::FieldMap> DatasetDataId(const IndexBatch& batch, const Universe& universe,
                                      const keys::DatasetRecord& record);

// Takes a dataset out of everything: its RUN, every TAGGED and CALIBRATION
// collection, and its artifact.
Status RemoveDatasetEverywhere(IndexBatch& batch, const codec::Uuid& id,
                               const keys::DatasetRecord& record);

// Every calibration entry whose key starts with "prefix" (a
// keys::CalibrationPrefix), as the batch sees it.
Result<std::vector<keys::CalibrationEntry>> CalibrationEntriesUnder(const IndexBatch& batch,
                                                                    const std::string& prefix);

// The calibration entry of (collection, type, data ID) whose validity
// overlaps "span", as the batch sees it, or nullopt. Entries of one data ID
// never overlap (certify refuses that), so they end in the order they begin,
// and the last one beginning before the span ends overlaps it if any does:
// one seek backwards answers, not a scan of every epoch. Of several, the one
// that sorts first is named (two more seeks, on that path only).
Result<std::optional<keys::CalibrationValidity>> OverlappingCalibration(
    const IndexBatch& batch, const std::string& collection, const std::string& type,
    const std::string& data_id, const codec::Timespan& span);

}  // namespace starlog::engine
