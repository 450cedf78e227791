#pragma once

// Multi-versioned index entries (DESIGN.md, Storage). Each version of a
// logical key is one RocksDB entry:
//
//   key   := logical_key inverted_sequence
//   inverted_sequence := be64(~sequence)   newer versions sort first
//   value := 0x01 payload                  the entry exists from "sequence" on
//          | 0x00                          the entry was removed at "sequence"
//
// Logical keys are built with KeyWriter, so they are prefix-free within a
// family and the suffix is unambiguous. A read as of S is one Seek to
// logical_key ~S: the first entry at or after it, if it belongs to the same
// logical key, is the newest version at or before S.

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/store/content_digest.h"
#include "engine/store/db_handles.h"
#include "engine/store/iterator_cache.h"
#include "starlog/codec/hash.h"
#include "starlog/result.h"

namespace starlog::engine {

inline constexpr uint64_t kLatest = ~uint64_t{0};

std::string VersionedKey(std::string_view logical_key, uint64_t sequence);

// The contribution of one live entry to the state digest.
codec::Hash128 EntryHash(Family family, std::string_view logical_key, std::string_view payload);

// Reads index families as of a sequence. Cheap to construct; not thread-safe,
// but any number may be used at once. "handles" must outlive it.
class IndexReader {
 public:
  // With "cache", point reads re-seek its iterators instead of making new
  // ones; "cache" must then outlive the reader.
  IndexReader(const DbHandles& handles, uint64_t as_of, IteratorCache* cache = nullptr)
      : h_(handles), as_of_(as_of), cache_(cache) {}

  uint64_t as_of() const { return as_of_; }

  // The payload of "logical_key" as of the reader's sequence, or nullopt.
  Result<std::optional<std::string>> Get(Family family, std::string_view logical_key) const;
  // The sequence of the event that wrote that payload (the live version's),
  // or nullopt where Get finds none.
  Result<std::optional<uint64_t>> SequenceOf(Family family, std::string_view logical_key) const;

  // Calls "fn(logical_key, payload)" for every entry live as of the reader's
  // sequence whose logical key starts with "prefix", in key order. "fn"
  // returns false to stop early.
  using ScanFn = std::function<bool(std::string_view logical_key, std::string_view payload)>;
  Status Scan(Family family, std::string_view prefix, const ScanFn& fn) const;
  // The same, from the first logical key at or after "start" (which starts
  // with "prefix"): a range scan in one seek.
  Status ScanFrom(Family family, std::string_view prefix, std::string_view start,
                  const ScanFn& fn) const;

  // The same over the logical keys from "first" to "last", both included:
  // one seek, and the walk ends past "last" even over ended entries. With
  // "budget", it also ends after that many stored keys (a key's older
  // versions, stepped over, cost nothing more), and "*exhausted" says
  // whether it did.
  Status ScanRange(Family family, std::string_view first, std::string_view last, const ScanFn& fn,
                   size_t budget = SIZE_MAX, bool* exhausted = nullptr) const;

  // Scan's answer for a "prefix" that is exactly what the family's prefix
  // extractor makes of every key under it (family_options.h): a prefix seek,
  // which skips the files whose filters lack it.
  Status ScanFiltered(Family family, std::string_view prefix, const ScanFn& fn) const;

  // The live entry, as of the reader's sequence, with the greatest logical key
  // that starts with "prefix" and sorts before "before": a seek backwards.
  struct Entry {
    std::string logical_key;
    std::string payload;
  };
  Result<std::optional<Entry>> LastBefore(Family family, std::string_view prefix,
                                          std::string_view before) const;

 private:
  // Scans from "start" while keys start with "prefix" and, unless "last" is
  // empty, their logical keys sort at or before it; and, with "budget",
  // while it lasts (each key reached spends one; *budget is 0 if it ran out).
  Status ScanWith(rocksdb::Iterator* it, std::string_view prefix, std::string_view start,
                  const ScanFn& fn, std::string_view last = {}, size_t* budget = nullptr) const;
  // An iterator of the kind asked for, from the reader's cache, or from
  // "own" (made here) for a reader without one.
  IteratorCache::Lease Lease(Family family, bool scan, std::optional<IteratorCache>& own) const {
    return (cache_ != nullptr ? cache_ : &own.emplace(h_))->Get(family, scan);
  }

  const DbHandles& h_;
  uint64_t as_of_;
  IteratorCache* cache_;
};

// Index changes not yet in the database, by family and logical key; nullopt
// for an entry that was ended.
using IndexOverlay = std::map<std::pair<Family, std::string>, std::optional<std::string>>;

// The index changes of one event, collected into the event's WriteBatch.
// Reads see the repository's latest state with this batch's own changes laid
// over it, so validation of an event sees what earlier parts of it did.
// Tracks, per family, the change in live entries and in sub-digest.
class IndexBatch {
 public:
  // "batch" receives the writes; both it and "handles" must outlive this.
  IndexBatch(const DbHandles& handles, uint64_t sequence, rocksdb::WriteBatch* batch)
      : h_(handles),
        sequence_(sequence),
        batch_(batch),
        owned_cache_(std::make_unique<IteratorCache>(handles)),
        reader_(handles, kLatest, owned_cache_.get()) {}
  // For one of several events written in one batch (ReplayGroup): reads see
  // the database through "cache", then "pending", the changes of the events
  // before this one, then this event's own. Both must outlive this.
  IndexBatch(const DbHandles& handles, uint64_t sequence, rocksdb::WriteBatch* batch,
             IteratorCache* cache, const IndexOverlay* pending)
      : h_(handles),
        sequence_(sequence),
        batch_(batch),
        pending_(pending),
        reader_(handles, kLatest, cache) {}

  uint64_t sequence() const { return sequence_; }

  Result<std::optional<std::string>> Get(Family family, std::string_view logical_key) const;
  // Live entries under "prefix", with this batch's changes applied.
  Status Scan(Family family, std::string_view prefix, const IndexReader::ScanFn& fn) const;
  // IndexReader::LastBefore with this batch's changes applied: one seek
  // backwards, whatever the number of entries under "prefix".
  Result<std::optional<IndexReader::Entry>> LastBefore(Family family, std::string_view prefix,
                                                       std::string_view before) const;
  // The live entry with the least logical key under "prefix" at or after
  // "start", with this batch's changes applied: one seek forwards.
  Result<std::optional<IndexReader::Entry>> FirstFrom(Family family, std::string_view prefix,
                                                      std::string_view start) const;

  // Whether a live entry, with this batch's changes applied, has a logical
  // key from "first" to "last" (both included): one seek, however many keys
  // the range would hold (a batch of new keys proven absent at once).
  // nullopt when more than "budget" stored keys in the range would have to
  // be read to tell (entries ended there): ask each key instead.
  Result<std::optional<bool>> AnyLiveIn(Family family, std::string_view first,
                                        std::string_view last, size_t budget) const;

  // Sets "logical_key" to "payload" from this event on.
  Status Put(Family family, std::string_view logical_key, std::string_view payload);
  // Put of a key the caller has proven has no live entry in the database
  // (an invariant it owns says so: a RUN's lookup entry lives only with its
  // datasets entry): no seek for the old value, though this event's and its
  // group's own writes are still consulted. Wrong, the digest would count
  // the old entry twice.
  Status PutNew(Family family, std::string_view logical_key, std::string_view payload);
  // Ends "logical_key" at this event. Deleting an absent key does nothing.
  Status Delete(Family family, std::string_view logical_key);

  struct FamilyDelta {
    int64_t live_entries = 0;
    codec::Hash128 added;    // Sum of hashes of entries that became live.
    codec::Hash128 removed;  // Sum of hashes of entries that ended.
  };
  const std::map<Family, FamilyDelta>& deltas() const { return deltas_; }
  // The change in each content partition (content_digest.h).
  const PartMap& parts() const { return parts_; }

  // Test hook for the benchmark's baseline: whether batches keep content
  // partitions (a repository written without them is not to be compared).
  static void TEST_set_content_partitions(bool keep);

  // Moves this event's changes into "pending", for the events after it.
  void MergeInto(IndexOverlay* pending) &&;

 private:
  using OverlayKey = IndexOverlay::key_type;
  // This event's change to "key", else an earlier event's (pending_), else
  // nullptr: what overrides the database.
  const std::optional<std::string>* Overlaid(const OverlayKey& key) const;
  // Put's write of "payload" at "key" over "old" (nullptr: no live entry).
  Status Write(OverlayKey&& key, std::string_view payload, const std::string* old);
  // Adds "sign" times the entry's share to its content partition, if any.
  Status NotePart(Family family, std::string_view logical_key, std::string_view payload,
                  const codec::Hash128& entry_hash, int sign);
  // The newest live value of "key": this event's, else an earlier event's,
  // else the database's. Unlike Get it looks past an entry this event (or
  // an earlier one of the group) ended: an artifact removed with its dataset
  // still counts in that dataset's RUN.
  Result<std::optional<std::string>> LastLive(Family family, std::string_view logical_key) const;
  // The nearest live overlay entry under "prefix" below "bound" (backwards)
  // or at or after it (forwards).
  std::optional<IndexReader::Entry> NearestOverlaid(Family family, std::string_view prefix,
                                                    std::string_view bound, bool backwards) const;

  const DbHandles& h_;
  uint64_t sequence_;
  rocksdb::WriteBatch* batch_;
  const IndexOverlay* pending_ = nullptr;
  // The committed state before this event: the writer holds the store's
  // lock, so iterators made during the event see all of it and nothing else.
  std::unique_ptr<IteratorCache> owned_cache_;
  IndexReader reader_;
  IndexOverlay overlay_;
  // What this event read from the database, so that writing a key it has
  // just checked costs no second seek (Put and Delete read the old value
  // for the digest). The database does not change during an event.
  mutable IndexOverlay read_;
  std::map<Family, FamilyDelta> deltas_;
  PartMap parts_;
  PartMap::value_type* last_part_ = nullptr;  // In parts_ (NotePart).
};

// Events replayed one after another into one WriteBatch (a rebuild, a replica
// catching up): a write and a set of iterators per group instead of per
// event. Each event sees the ones before it through the pending overlay; a
// refused event is rolled back alone, so the events before it can still be
// written. The caller holds the writer's lock throughout.
class ReplayGroup {
 public:
  explicit ReplayGroup(const DbHandles& handles) : h_(handles) { Reset(); }

  // An IndexBatch for the next event; Keep() or Drop() it before the next.
  IndexBatch Begin(uint64_t sequence);
  // The event applied: later events see its changes and they will be written.
  void Keep(IndexBatch&& event);
  // The event refused: its writes leave the batch.
  void Drop();

  rocksdb::WriteBatch* batch() { return &batch_; }
  int events() const { return events_; }
  // The content partitions' change over the events kept.
  const PartMap& parts() const { return parts_; }
  // Whether the group has grown big enough to write now.
  bool Full() const;
  // After the batch was written: starts an empty group, whose iterators see
  // what was written.
  void Reset();

 private:
  const DbHandles& h_;
  rocksdb::WriteBatch batch_;
  std::unique_ptr<IteratorCache> cache_;
  IndexOverlay pending_;
  PartMap parts_;
  int events_ = 0;
};

}  // namespace starlog::engine
