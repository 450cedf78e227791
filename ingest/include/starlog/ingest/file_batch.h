#pragma once

// Where ingest and import hand their files: a batch of events registering
// datasets, and the files those datasets are, to be placed and registered
// all at once. Who does it is a FileSink: this process (LocalFileSink:
// PlaceFile, then one append), or the repository's service, which reads the
// files from descriptors the client opened and places them as its own
// account (the CLI's sink, over service::Writer::Place). Either way a
// refused batch leaves no file placed and no event appended.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/transfer.h"
#include "starlog/result.h"

namespace starlog::ingest {

struct SkippedFile {
  std::string file;
  std::string reason;
};

// A dataset entry of a batch: bodies[event], a RegisterDatasets, its
// datasets[entry].
struct BatchEntry {
  size_t event = 0;
  size_t entry = 0;
  friend auto operator<=>(const BatchEntry&, const BatchEntry&) = default;
};

struct BatchFile {
  std::string source;    // As the user named it.
  std::string relative;  // Where it goes under the root (direct: where it is).
  // The datasets whose artifact this file is: one, or one per HDU.
  std::vector<BatchEntry> entries;
};

struct FileBatch {
  // The events to append, in order; the artifacts of the entries the files
  // name are filled in as the files are placed.
  std::vector<codec::EventBody> bodies;
  std::vector<BatchFile> files;
  TransferMode mode = TransferMode::kCopy;
  // A file that cannot be placed refuses the whole batch (import); else it
  // is left out with its dataset and reported, and when no file is left
  // nothing at all is appended (ingest).
  bool all_or_nothing = false;
  // Called as files are placed: (files placed so far, files in all). Through
  // the service, once a part of the batch is placed (Client::Place).
  engine::ProgressFn progress;
};

struct BatchResult {
  size_t placed = 0;         // Files placed and registered,
  size_t datasets = 0;       // and the datasets they are.
  uint64_t first_event = 0;  // Events appended (0 if none).
  uint64_t last_event = 0;
  std::vector<SkippedFile> skipped;  // In the batch's order.
};

using FileSink = std::function<Result<BatchResult>(FileBatch)>;

// Places the files in this process (PlaceFile) and appends to "store" as
// "actor"; undoes the placements if the append is refused, and finishes
// them (a moved source's removal) once it is durable. "store" must outlive
// the sink.
FileSink LocalFileSink(engine::EventStore& store, engine::Actor actor);

}  // namespace starlog::ingest
