#pragma once

// Import of a version 3 bundle (bundle.jsonl, ingest/bundle_lines.h) in
// memory that does not grow with its lines: a pass that checks the
// checksum, a pass that reads, checks and plans every line against the
// target (and every file against its size and XXH3-128), then a pass that
// plans the same lines again against the same view of the target and
// appends them in batches, each one atomic write.
//
// Held in memory: the dataset types, collections and chains; the lines of
// one batch and of one (type, data ID); and, to find a dataset id listed
// twice and to check and place each file once, 16 bytes per dataset and 32
// per file (about 16 MB for 1M datasets without files).

#include <cstddef>
#include <string>

#include "starlog/ingest/bundle.h"

namespace starlog::ingest::internal {

struct StreamLimits {
  // Datasets (or dimension records) a batch; a batch ends between two
  // (type, data ID)s, so it may hold a few more. Default: 10,000 (a
  // batch's events stay well within the service's request bound).
  size_t batch = 10'000;
  // Datasets of one type and data ID (in as many RUNs); more are refused.
  // Default: 10,000.
  size_t group = 10'000;
};

// What an import held at its largest, for tests and the bench.
struct StreamStats {
  uint64_t lines = 0;        // Before the trailer.
  size_t batches = 0;        // Appended (a dry run: that would be).
  size_t largest_batch = 0;  // Dataset entries and records in one batch.
  size_t largest_group = 0;  // Datasets of one type and data ID.
  size_t ids_held = 0;       // Dataset ids kept (16 bytes each).
  size_t files_held = 0;     // File paths kept, hashed (32 bytes each).
};

// ImportBundle (bundle.h) of a version 3 bundle in "from". A bundle refused
// by the first two passes changes nothing. The third appends its batches in
// order: dataset types, collections and records first, then the datasets
// with their tags and certifications, the chains' children last. If a batch
// is refused (the target changed since it was planned) or the process
// stops, the batches before it stay; the error says which events they are,
// and importing the bundle again adds the rest.
Result<ImportReport> ImportBundleLines(engine::EventStore& store, const std::string& from,
                                       const ImportOptions& options, const FileSink& sink,
                                       const StreamLimits& limits = {},
                                       StreamStats* stats = nullptr);

}  // namespace starlog::ingest::internal
