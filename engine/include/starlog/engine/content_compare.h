#pragma once

// Located divergence between two repositories of any lineage: built apart,
// with the same datasets registered in another order, or by an import. The
// logs (chain hashes) of such copies differ from event 1 on, so `verify`'s
// bisection says nothing; their content can still be compared.
//
// First the order-independent family digests (each a sum over live
// entries), then the content partitions both keep incrementally: one digest
// per (collection, dataset type) over its datasets and their files (RUN),
// tags (TAGGED) or calibrations with validity (CALIBRATION), and one per
// dimension element over its records' fields. Only the partitions that
// differ are read, by a merge of their index ranges, so the cost follows the
// size of what differs, not of the repositories. Definitions (collections,
// chains, dataset types, settings, the policy) are compared whole when their
// family digest differs; they are small.
//
// Not compared: snapshots (they name sequence numbers of one log) and a
// dimension record's insertion ordinal (it follows the order records came in).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/content_source.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::engine {

// One side of an entry that differs.
struct ContentSide {
  std::optional<codec::Uuid> id;            // The dataset of a membership or file.
  std::optional<codec::Timespan> validity;  // A calibration's validity range.
  std::string detail;                       // A file, a record's fields, a definition.
};

struct ContentDifference {
  // "RUN", "TAGGED", "CALIBRATION" (a membership), "file" (a RUN dataset's
  // file), "record" (a dimension record), or the family of a definition:
  // "collections", "chains", "dataset_types", "settings", "policy".
  std::string kind;
  std::string collection;    // The collection; a record's element; a definition's name.
  std::string dataset_type;  // Memberships and files.
  codec::FieldMap data_id;   // A membership's data ID; a record's key values.
  // Absent on the side that lacks the entry.
  std::optional<ContentSide> here;
  std::optional<ContentSide> there;
};

// A partition whose digests differ.
struct PartDifference {
  bool record = false;       // A dimension element's records, else a collection's entries.
  std::string collection;    // Or the element.
  std::string dataset_type;  // Empty for records.
  int64_t here_entries = 0;
  int64_t there_entries = 0;
};

struct ContentReport {
  uint64_t here_head = 0;
  uint64_t there_head = 0;
  bool agree = false;
  // Compared families whose digests differ (by name, as `digest` shows them).
  std::vector<std::string> families;
  // Partitions whose digests differ in all, and the first kMaxListedParts.
  uint64_t differing_parts = 0;
  std::vector<PartDifference> parts;
  // Entries that differ in all, and the first ContentOptions::limit of them.
  uint64_t differences = 0;
  std::vector<ContentDifference> entries;
  // A side whose repository kept no content digests yet (written before
  // them, and opened by no writer since): computed by a scan of its indexes.
  bool here_scanned = false;
  bool there_scanned = false;
  // Disagreements the partitions do not explain (a damaged index).
  std::vector<std::string> notes;
};

inline constexpr size_t kMaxListedParts = 10'000;

struct ContentOptions {
  // How many differing entries to describe; all are counted. Default: 20.
  size_t limit = 20;
};

// Compares the content of "here" and "there", each as of the one point its
// source reads. Agreement means equal digests of every compared family and
// partition: XXH3-128 sums, which detect accidents, not forgery. Corruption
// for an entry or partition key that does not decode; a source's own errors
// are returned as they are.
Result<ContentReport> CompareContent(ContentSource& here, ContentSource& there,
                                     const ContentOptions& options = {});

// The same for the present content of two stores opened by EventStore::Open
// or Create (OpenContentSource).
Result<ContentReport> CompareContent(const EventStore& here, const EventStore& there,
                                     const ContentOptions& options = {});

}  // namespace starlog::engine
