#pragma once

// Datasets, data IDs and records as tables for people or JSON for scripts.

#include <vector>

#include "cli/args.h"
#include "starlog/engine/registry_view.h"

namespace starlog::cli {

void PrintDatasets(const std::vector<engine::DatasetRef>& refs, bool json, Io& io);
// Field maps (data IDs or dimension records) with one column per key.
void PrintFieldMaps(const std::vector<codec::FieldMap>& rows, bool json, Io& io);

}  // namespace starlog::cli
