#pragma once

// What CompareContent (content_compare.h) reads of one repository, as of one
// point: its family digests, its content partitions with their digests and
// entry counts, and, for a partition that differs, its entries in key order,
// a page at a time. The engine reads a store it has opened (OpenContentSource);
// replication reads a `starlog serve` over the network through the same
// interface, so the comparison itself knows neither.
//
// Keys and payloads are the index entries as the engine stores them
// (content_digest.h names the partitions, registry_keys.h their keys): the
// comparison decodes them, and refuses with Corruption what does not decode.
//
// Not thread-safe: one comparison uses a source at a time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/hash.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::engine {

// The ranges a comparison reads entries of. Fixed values: they travel on the wire.
enum class ContentRange : uint8_t {
  kDatasets = 1,  // A RUN's memberships: S(run) S(type) S(data ID) -> uuid.
  kTags = 2,      // A TAGGED collection's.
  kCalibrations = 3,
  kRecords = 4,  // A dimension element's records: S(element) ... -> U(ordinal) fields.
  // A RUN's datasets with their files: the datasets key -> uuid(16), then
  // the artifact entry if the dataset has a file.
  kFiles = 5,
  // Definitions, read whole (prefix "").
  kSettings = 6,
  kCollections = 7,
  kChains = 8,
  kDatasetTypes = 9,
  kPolicy = 10,
};
inline constexpr uint8_t kLastContentRange = 10;

// Where the content is read.
struct ContentSummary {
  uint64_t head = 0;
  // Every index family's live entries and digest, by name (FamilyStats::name).
  std::vector<FamilyStats> families;
  // The repository kept no partition digests: they were computed by a scan.
  bool scanned = false;
};

// One partition: its key in meta ("cdigest/" S(collection) S(type), or
// "rdigest/" S(element)), its live entries and the sum of their hashes.
struct ContentPart {
  std::string key;
  int64_t entries = 0;
  codec::Hash128 digest;
};

struct ContentEntry {
  std::string key;
  std::string payload;
};

// How much one page may hold: at most "entries" items, and no item past
// the first may take the page's bytes (keys and payloads) beyond "bytes".
struct PageLimit {
  size_t entries = 4096;
  size_t bytes = 1 << 20;
};

// A page, in key order; "last" when nothing follows it.
template <typename T>
struct Page {
  std::vector<T> items;
  bool last = true;
};

class ContentSource {
 public:
  virtual ~ContentSource() = default;

  virtual const ContentSummary& summary() const = 0;
  // Partitions whose key sorts after "after" (every one, for ""), in key order.
  virtual Result<Page<ContentPart>> Parts(std::string_view after, const PageLimit& limit) = 0;
  // Live entries of "range" whose key starts with "prefix" and sorts after
  // "after" (from the first, for ""), in key order.
  virtual Result<Page<ContentEntry>> Entries(ContentRange range, std::string_view prefix,
                                             std::string_view after, const PageLimit& limit) = 0;
};

// The content of "store" as of one point, fixed now: the head, the family
// digests and the partitions are read together (no event comes between
// them), and every entry is read as of that head, however the store moves
// on. A repository that kept no partition digests has them computed by a
// scan here. "store" must outlive the source.
Result<std::unique_ptr<ContentSource>> OpenContentSource(const EventStore& store);

}  // namespace starlog::engine
