// OpenContentSource (content_source.h): a store's content as of one point,
// read through versioned index reads as of the head fixed at open.

#include "starlog/engine/content_source.h"

#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/iterator_cache.h"
#include "engine/store/versioned_index.h"

namespace starlog::engine {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Adds items to a page while "limit" allows; the first always fits.
template <typename T>
class PageBuilder {
 public:
  explicit PageBuilder(const PageLimit& limit) : limit_(limit) {}
  // False, marking the page not last, when "item" is left for the next page.
  bool Add(T item, size_t bytes) {
    if (page_.items.size() >= limit_.entries ||
        (!page_.items.empty() && bytes_ + bytes > limit_.bytes)) {
      page_.last = false;
      return false;
    }
    bytes_ += bytes;
    page_.items.push_back(std::move(item));
    return true;
  }
  Page<T> Take() && { return std::move(page_); }

 private:
  const PageLimit limit_;
  Page<T> page_;
  size_t bytes_ = 0;
};

class StoreContentSource final : public ContentSource {
 public:
  StoreContentSource(const EventStoreImpl& store, ContentPoint point)
      : h_(store.handles()), point_(std::move(point)) {
    summary_.head = point_.head;
    summary_.families = point_.families;
    summary_.scanned = point_.scanned;
  }

  const ContentSummary& summary() const override { return summary_; }

  Result<Page<ContentPart>> Parts(std::string_view after, const PageLimit& limit) override {
    if (limit.entries == 0) return Status::InvalidArgument("a page of no partitions");
    PageBuilder<ContentPart> page(limit);
    const PartMap& parts = *point_.parts;
    auto it = after.empty() ? parts.begin() : parts.upper_bound(std::string(after));
    for (; it != parts.end(); ++it) {
      const size_t bytes = it->first.size() + 24;
      if (!page.Add(ContentPart{it->first, it->second.entries, it->second.digest}, bytes)) break;
    }
    return std::move(page).Take();
  }

  Result<Page<ContentEntry>> Entries(ContentRange range, std::string_view prefix,
                                     std::string_view after, const PageLimit& limit) override {
    STARLOG_ASSIGN_OR_RETURN(const Family family, RangeFamily(range));
    if (limit.entries == 0) return Status::InvalidArgument("a page of no entries");
    if (!after.empty() && !StartsWith(after, prefix)) {
      return Status::InvalidArgument("a page from a key outside its range");
    }
    // Past every version of "after": no logical key is a prefix of another,
    // and no version suffix is all 0xff (sequence 0 is no event).
    const std::string start =
        after.empty() ? std::string(prefix) : std::string(after) + std::string(8, '\xff');
    // Iterators of this page only: a follower's files may go under long-lived ones.
    IteratorCache cache(h_);
    IndexReader reader(h_, point_.head, &cache);
    PageBuilder<ContentEntry> page(limit);
    Status failed;
    STARLOG_RETURN_IF_ERROR(
        reader.ScanFrom(family, prefix, start, [&](std::string_view k, std::string_view v) {
          ContentEntry entry{std::string(k), std::string(v)};
          if (range == ContentRange::kFiles) {
            auto artifact = reader.Get(Family::kArtifacts, v);
            if (!artifact.ok()) {
              failed = artifact.status();
              return false;
            }
            if (*artifact) entry.payload += **artifact;
          }
          const size_t bytes = entry.key.size() + entry.payload.size();
          return page.Add(std::move(entry), bytes);
        }));
    STARLOG_RETURN_IF_ERROR(failed);
    return std::move(page).Take();
  }

 private:
  const DbHandles& h_;
  const ContentPoint point_;
  ContentSummary summary_;
};

}  // namespace

Result<Family> RangeFamily(ContentRange range) {
  switch (range) {
    case ContentRange::kDatasets:
    case ContentRange::kFiles:
      return Family::kDatasets;
    case ContentRange::kTags:
      return Family::kTags;
    case ContentRange::kCalibrations:
      return Family::kCalibrations;
    case ContentRange::kRecords:
      return Family::kDimensionRecords;
    case ContentRange::kSettings:
      return Family::kSettings;
    case ContentRange::kCollections:
      return Family::kCollections;
    case ContentRange::kChains:
      return Family::kChains;
    case ContentRange::kDatasetTypes:
      return Family::kDatasetTypes;
    case ContentRange::kPolicy:
      return Family::kPolicy;
  }
  return Status::InvalidArgument("unknown content range " +
                                 std::to_string(static_cast<int>(range)));
}

Result<std::unique_ptr<ContentSource>> OpenContentSource(const EventStore& store) {
  // Every EventStore is an EventStoreImpl (event_store_open.cc makes them).
  const auto& impl = static_cast<const EventStoreImpl&>(store);
  STARLOG_ASSIGN_OR_RETURN(ContentPoint point, impl.ReadContentPoint());
  return std::unique_ptr<ContentSource>(new StoreContentSource(impl, std::move(point)));
}

}  // namespace starlog::engine
