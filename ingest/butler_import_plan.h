#pragma once

// The first half of a butler import: the export's content checked against
// the repository, and what the repository lacks worked out as events. The
// second half (butler_import.cc) places the files and appends.

#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::ingest::internal {

// A dataset of the file, with what it must agree with.
struct Planned {
  codec::Uuid id;
  std::string dataset_type, run;
  codec::FieldMap data_id;
  std::optional<std::string> path;
};

// Everything the import would append, worked out against "view".
struct ImportPlan {
  std::vector<codec::EventBody> head;  // Types, collections, records.
  std::vector<Planned> datasets;       // To register (files placed first).
  std::vector<codec::EventBody> tail;  // Chains, tags, certifications.
  ButlerImportReport report;
};

// Checks every name, data ID, dataset id and path of "data" (paths relative
// to "folder", the export's) and works out, against "view", the events that
// add what the repository lacks. Conflict names a dataset id held with other
// content or a collection of another type; InvalidArgument anything else.
Result<ImportPlan> PlanButlerImport(const engine::EventStore& store,
                                    const engine::RegistryView& view, const ButlerExport& data,
                                    const std::string& folder, const ButlerImportOptions& options);

}  // namespace starlog::ingest::internal
