#pragma once

// Dataset UUIDs, as the Gen3 butler makes them, so the same raw has the same
// id in both systems.
//
// Deterministic ids are UUID v5 (SHA-1) in namespace
// 840b31d9-05cd-5161-b2c8-00d32b280d0f of the name
//
//   dataset_type=<type>[,run=<run>],<key>=<value>,...
//
// with the data ID's keys sorted by name. Without a run the id is the same in
// every run ("DATAID_TYPE"); with it, unique per run ("DATAID_TYPE_RUN").
// Random ids are UUID v7: a millisecond timestamp then random bits, so ids
// made one after another sort together.

#include <optional>
#include <string_view>

#include "starlog/codec/data_id.h"
#include "starlog/codec/uuid.h"

namespace starlog::engine {

enum class DatasetIdMode {
  kRandom,         // UUID v7.
  kDataIdType,     // UUID v5 of type and data ID.
  kDataIdTypeRun,  // UUID v5 of type, run and data ID.
};

codec::Uuid DeterministicDatasetId(std::string_view dataset_type, const codec::FieldMap& data_id,
                                   std::optional<std::string_view> run);
codec::Uuid RandomDatasetId();

// The id for "mode" (ignores "run" unless kDataIdTypeRun).
codec::Uuid MakeDatasetId(DatasetIdMode mode, std::string_view dataset_type,
                          const codec::FieldMap& data_id, std::string_view run);

}  // namespace starlog::engine
