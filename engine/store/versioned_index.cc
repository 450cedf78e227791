#include "engine/store/versioned_index.h"

#include <memory>
#include <optional>

#include "engine/store/rocks_status.h"
#include "starlog/codec/coding.h"

namespace starlog::engine {

namespace {

constexpr char kLive = '\x01';
constexpr char kEnded = '\x00';

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool keep_content_partitions = true;  // IndexBatch::TEST_set_content_partitions.

}  // namespace

std::string VersionedKey(std::string_view logical_key, uint64_t sequence) {
  std::string key(logical_key);
  codec::PutBigEndian64(&key, ~sequence);
  return key;
}

codec::Hash128 EntryHash(Family family, std::string_view logical_key, std::string_view payload) {
  std::string buf;
  buf.reserve(1 + 4 + logical_key.size() + payload.size());
  buf.push_back(static_cast<char>(family));
  codec::PutFixed32(&buf, static_cast<uint32_t>(logical_key.size()));
  buf.append(logical_key);
  buf.append(payload);
  return codec::Xxh3_128(buf);
}

Result<std::optional<std::string>> IndexReader::Get(Family family,
                                                    std::string_view logical_key) const {
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/false, own);
  const std::string target = VersionedKey(logical_key, as_of_);
  it->Seek(target);
  if (!it->Valid()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "index read"));
    return std::optional<std::string>();
  }
  const rocksdb::Slice k = it->key();
  if (k.size() != logical_key.size() + 8 || !StartsWith(k.ToStringView(), logical_key)) {
    return std::optional<std::string>();
  }
  const rocksdb::Slice v = it->value();
  if (v.empty()) return Status::Corruption("index entry with an empty value");
  if (v[0] == kEnded) return std::optional<std::string>();
  if (v[0] != kLive) return Status::Corruption("index entry with an unknown version flag");
  return std::optional<std::string>(std::string(v.data() + 1, v.size() - 1));
}

Result<std::optional<uint64_t>> IndexReader::SequenceOf(Family family,
                                                        std::string_view logical_key) const {
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/false, own);
  it->Seek(VersionedKey(logical_key, as_of_));
  if (!it->Valid()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "index read"));
    return std::optional<uint64_t>();
  }
  const rocksdb::Slice k = it->key();
  if (k.size() != logical_key.size() + 8 || !StartsWith(k.ToStringView(), logical_key)) {
    return std::optional<uint64_t>();
  }
  const rocksdb::Slice v = it->value();
  if (v.empty() || (v[0] != kLive && v[0] != kEnded)) {
    return Status::Corruption("index entry with an unknown version flag");
  }
  if (v[0] == kEnded) return std::optional<uint64_t>();
  return std::optional<uint64_t>(~codec::DecodeBigEndian64(k.data() + logical_key.size()));
}

Status IndexReader::Scan(Family family, std::string_view prefix, const ScanFn& fn) const {
  return ScanFrom(family, prefix, prefix, fn);
}

Status IndexReader::ScanFrom(Family family, std::string_view prefix, std::string_view start,
                             const ScanFn& fn) const {
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/true, own);
  return ScanWith(it.get(), prefix, start, fn);
}

Status IndexReader::ScanFiltered(Family family, std::string_view prefix, const ScanFn& fn) const {
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/false, own);
  return ScanWith(it.get(), prefix, prefix, fn);
}

Status IndexReader::ScanRange(Family family, std::string_view first, std::string_view last,
                              const ScanFn& fn, size_t budget, bool* exhausted) const {
  if (exhausted != nullptr) *exhausted = false;
  if (last < first) return Status::OK();
  size_t shared = 0;
  while (shared < first.size() && shared < last.size() && first[shared] == last[shared]) ++shared;
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/true, own);
  STARLOG_RETURN_IF_ERROR(ScanWith(it.get(), first.substr(0, shared), first, fn, last, &budget));
  if (exhausted != nullptr) *exhausted = budget == 0;
  return Status::OK();
}

Status IndexReader::ScanWith(rocksdb::Iterator* it, std::string_view prefix, std::string_view start,
                             const ScanFn& fn, std::string_view last, size_t* budget) const {
  // A few Next()s are cheaper than a Seek(); past that, a key with a long
  // history is skipped with one Seek(), so a scan costs about the same as of
  // any point, however many versions came later.
  constexpr int kStepsBeforeSeek = 4;
  it->Seek(start);
  while (it->Valid()) {
    const std::string_view k = it->key().ToStringView();
    if (!StartsWith(k, prefix)) break;
    if (k.size() < 8) return Status::Corruption("index key shorter than its version suffix");
    const std::string logical(k.substr(0, k.size() - 8));
    if (!last.empty() && std::string_view(logical) > last) break;
    if (budget != nullptr && (*budget == 0 || --*budget == 0)) break;
    const uint64_t sequence = ~codec::DecodeBigEndian64(k.data() + logical.size());
    if (sequence > as_of_) {
      // Newer than the point asked for: jump to the newest version at or before it.
      it->Seek(VersionedKey(logical, as_of_));
      continue;
    }
    const rocksdb::Slice v = it->value();
    if (v.empty() || (v[0] != kLive && v[0] != kEnded)) {
      return Status::Corruption("index entry with an unknown version flag");
    }
    if (v[0] == kLive && !fn(logical, std::string_view(v.data() + 1, v.size() - 1))) {
      return Status::OK();
    }
    // Move past the older versions of this key.
    int steps = 0;
    for (it->Next(); it->Valid() && steps < kStepsBeforeSeek; it->Next(), ++steps) {
      const rocksdb::Slice next = it->key();
      if (next.size() != logical.size() + 8 || !StartsWith(next.ToStringView(), logical)) break;
    }
    if (it->Valid() && steps == kStepsBeforeSeek) {
      const rocksdb::Slice next = it->key();
      if (next.size() == logical.size() + 8 && StartsWith(next.ToStringView(), logical)) {
        it->Seek(VersionedKey(logical, 0));  // ~0: past every version of "logical".
        if (it->Valid() && it->key().size() == logical.size() + 8 &&
            StartsWith(it->key().ToStringView(), logical)) {
          it->Next();
        }
      }
    }
  }
  return FromRocks(it->status(), "index scan");
}

Result<std::optional<IndexReader::Entry>> IndexReader::LastBefore(Family family,
                                                                  std::string_view prefix,
                                                                  std::string_view before) const {
  // Every version of a logical key below "before" sorts below it too (no
  // logical key is a prefix of another), so one seek backwards lands on the
  // oldest version of the greatest logical key below it. Its newer versions
  // sort just before that one: stepping back over the few that are as old as
  // the reader finds its version as of the reader without a second seek.
  // Steps cost a search of RocksDB's memtable each, so past a handful (a key
  // with a long history) one seek forwards (Get) is cheaper. An entry ended
  // by then sends the search to the logical key before it.
  constexpr int kStepsBeforeSeek = 4;
  std::optional<IteratorCache> own;
  IteratorCache::Lease it = Lease(family, /*scan=*/true, own);
  std::string target(before);
  while (true) {
    it->SeekForPrev(target);
    if (!it->Valid()) break;
    std::string_view k = it->key().ToStringView();
    if (!StartsWith(k, prefix)) break;
    if (k.size() < 8) return Status::Corruption("index key shorter than its version suffix");
    std::string logical(k.substr(0, k.size() - 8));
    const auto version_of = [&](std::string_view key) -> std::optional<uint64_t> {
      if (key.size() != logical.size() + 8 || !StartsWith(key, logical)) return std::nullopt;
      return ~codec::DecodeBigEndian64(key.data() + logical.size());
    };
    // The newest version at or before as_of_, found by stepping; nullopt
    // until one is, or when stepping gave up.
    std::optional<std::string> flagged;  // Its value: the flag, then the payload.
    bool settled = false;
    for (int steps = 0; steps <= kStepsBeforeSeek; ++steps) {
      const std::optional<uint64_t> sequence = version_of(k);
      if (!sequence || *sequence > as_of_) {
        settled = true;  // Past the versions as old as the reader.
        break;
      }
      flagged = it->value().ToString();
      it->Prev();
      if (!it->Valid()) {
        STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "index seek backwards"));
        settled = true;
        break;
      }
      k = it->key().ToStringView();
    }
    std::optional<std::string> payload;
    if (!settled) {
      STARLOG_ASSIGN_OR_RETURN(payload, Get(family, logical));
    } else if (flagged) {
      if (flagged->empty() || ((*flagged)[0] != kLive && (*flagged)[0] != kEnded)) {
        return Status::Corruption("index entry with an unknown version flag");
      }
      if ((*flagged)[0] == kLive) payload = flagged->substr(1);
    }
    if (payload) return std::optional<Entry>(Entry{std::move(logical), std::move(*payload)});
    target = std::move(logical);
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "index seek backwards"));
  return std::optional<Entry>();
}

Result<std::optional<std::string>> IndexBatch::Get(Family family,
                                                   std::string_view logical_key) const {
  OverlayKey key(family, std::string(logical_key));
  if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
  if (pending_ != nullptr) {
    if (auto it = pending_->find(key); it != pending_->end()) return it->second;
  }
  if (auto it = read_.find(key); it != read_.end()) return it->second;
  STARLOG_ASSIGN_OR_RETURN(std::optional<std::string> stored, reader_.Get(family, logical_key));
  read_.emplace(std::move(key), stored);
  return stored;
}

Status IndexBatch::Scan(Family family, std::string_view prefix,
                        const IndexReader::ScanFn& fn) const {
  // Merge the stored entries with this batch's overlay, in key order.
  std::map<std::string, std::optional<std::string>, std::less<>> merged;
  STARLOG_RETURN_IF_ERROR(reader_.Scan(family, prefix, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return true;
  }));
  // The earlier events' changes first, then this event's, which are newer.
  for (const IndexOverlay* overlay : {pending_, static_cast<const IndexOverlay*>(&overlay_)}) {
    if (overlay == nullptr) continue;
    for (auto it = overlay->lower_bound(OverlayKey(family, std::string(prefix)));
         it != overlay->end() && it->first.first == family && StartsWith(it->first.second, prefix);
         ++it) {
      merged[it->first.second] = it->second;
    }
  }
  for (const auto& [k, v] : merged) {
    if (v && !fn(k, *v)) break;
  }
  return Status::OK();
}

const std::optional<std::string>* IndexBatch::Overlaid(const OverlayKey& key) const {
  if (auto it = overlay_.find(key); it != overlay_.end()) return &it->second;
  if (pending_ != nullptr) {
    if (auto it = pending_->find(key); it != pending_->end()) return &it->second;
  }
  return nullptr;
}

std::optional<IndexReader::Entry> IndexBatch::NearestOverlaid(Family family,
                                                              std::string_view prefix,
                                                              std::string_view bound,
                                                              bool backwards) const {
  std::optional<IndexReader::Entry> best;
  const auto better = [&](const std::string& k) {
    return !best || (backwards ? k > best->logical_key : k < best->logical_key);
  };
  const OverlayKey start(family, std::string(bound));
  for (const IndexOverlay* overlay : {static_cast<const IndexOverlay*>(&overlay_), pending_}) {
    if (overlay == nullptr) continue;
    // The first key, in the walk's direction, whose value the overlay decides.
    const auto consider = [&](const IndexOverlay::value_type& e) {
      if (e.first.first != family || !StartsWith(e.first.second, prefix)) return true;  // Done.
      const std::optional<std::string>* v = Overlaid(e.first);
      if (v != &e.second || !*v) return false;  // Overridden by this event, or ended: go on.
      if (better(e.first.second)) best = IndexReader::Entry{e.first.second, **v};
      return true;
    };
    if (backwards) {
      for (auto it = std::make_reverse_iterator(overlay->lower_bound(start)); it != overlay->rend();
           ++it) {
        if (consider(*it)) break;
      }
    } else {
      for (auto it = overlay->lower_bound(start); it != overlay->end(); ++it) {
        if (consider(*it)) break;
      }
    }
  }
  return best;
}

Result<std::optional<IndexReader::Entry>> IndexBatch::LastBefore(Family family,
                                                                 std::string_view prefix,
                                                                 std::string_view before) const {
  std::optional<IndexReader::Entry> overlaid = NearestOverlaid(family, prefix, before, true);
  // The stored entry nearest below "before" that the overlay does not decide.
  std::string target(before);
  std::optional<IndexReader::Entry> stored;
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(stored, reader_.LastBefore(family, prefix, target));
    if (!stored || (overlaid && stored->logical_key < overlaid->logical_key)) break;
    if (Overlaid(OverlayKey(family, stored->logical_key)) == nullptr) break;
    target = stored->logical_key;
  }
  if (!stored || (overlaid && overlaid->logical_key > stored->logical_key)) return overlaid;
  return stored;
}

Result<std::optional<IndexReader::Entry>> IndexBatch::FirstFrom(Family family,
                                                                std::string_view prefix,
                                                                std::string_view start) const {
  std::optional<IndexReader::Entry> overlaid = NearestOverlaid(family, prefix, start, false);
  std::optional<IndexReader::Entry> stored;
  STARLOG_RETURN_IF_ERROR(
      reader_.ScanFrom(family, prefix, start, [&](std::string_view k, std::string_view v) {
        if (overlaid && k > overlaid->logical_key) return false;
        if (Overlaid(OverlayKey(family, std::string(k))) != nullptr) return true;
        stored = IndexReader::Entry{std::string(k), std::string(v)};
        return false;
      }));
  if (!stored || (overlaid && overlaid->logical_key < stored->logical_key)) return overlaid;
  return stored;
}

Result<std::optional<bool>> IndexBatch::AnyLiveIn(Family family, std::string_view first,
                                                  std::string_view last, size_t budget) const {
  // What this event and the events before it in its group decided first:
  // their verdict on a key overrides the database's.
  for (const IndexOverlay* overlay : {static_cast<const IndexOverlay*>(&overlay_), pending_}) {
    if (overlay == nullptr) continue;
    for (auto it = overlay->lower_bound(OverlayKey(family, std::string(first)));
         it != overlay->end() && it->first.first == family && it->first.second <= last; ++it) {
      if (const std::optional<std::string>* v = Overlaid(it->first); v != nullptr && *v) {
        return std::optional<bool>(true);
      }
    }
  }
  bool found = false, exhausted = false;
  STARLOG_RETURN_IF_ERROR(reader_.ScanRange(
      family, first, last,
      [&](std::string_view k, std::string_view) {
        found = Overlaid(OverlayKey(family, std::string(k))) == nullptr;
        return !found;
      },
      budget, &exhausted));
  if (!found && exhausted) return std::optional<bool>();
  return std::optional<bool>(found);
}

void IndexBatch::TEST_set_content_partitions(bool keep) { keep_content_partitions = keep; }

Result<std::optional<std::string>> IndexBatch::LastLive(Family family,
                                                        std::string_view logical_key) const {
  const OverlayKey key(family, std::string(logical_key));
  if (auto it = overlay_.find(key); it != overlay_.end() && it->second) return it->second;
  if (pending_ != nullptr) {
    if (auto it = pending_->find(key); it != pending_->end() && it->second) return it->second;
  }
  if (auto it = read_.find(key); it != read_.end()) return it->second;
  return reader_.Get(family, logical_key);
}

Status IndexBatch::NotePart(Family family, std::string_view logical_key, std::string_view payload,
                            const codec::Hash128& entry_hash, int sign) {
  if (!keep_content_partitions || !HasContentPartition(family)) return Status::OK();
  // The partition's meta key, in two parts: no copy for the common case.
  std::string artifact_part;
  std::string_view meta_prefix, range;
  if (family == Family::kArtifacts) {
    STARLOG_ASSIGN_OR_RETURN(std::optional<std::string> record,
                             LastLive(Family::kDatasetIds, logical_key));
    if (!record) return Status::Corruption("an artifact of no dataset");
    STARLOG_ASSIGN_OR_RETURN(artifact_part, ArtifactPartKey(*record));
    meta_prefix = artifact_part;
  } else {
    meta_prefix = PartMetaPrefix(family);
    STARLOG_ASSIGN_OR_RETURN(range, PartRange(family, logical_key));
  }
  STARLOG_ASSIGN_OR_RETURN(codec::Hash128 hash, PartHash(family, logical_key, payload, entry_hash));
  // An event's entries mostly fall in one partition (a batch of datasets of
  // one type in one run): the last one found is kept at hand.
  const auto is_last = [&] {
    if (last_part_ == nullptr) return false;
    const std::string_view k = last_part_->first;
    return k.size() == meta_prefix.size() + range.size() && StartsWith(k, meta_prefix) &&
           k.substr(meta_prefix.size()) == range;
  };
  if (!is_last()) {
    std::string part(meta_prefix);
    part.append(range);
    last_part_ = &*parts_.try_emplace(std::move(part)).first;
  }
  PartStats& p = last_part_->second;
  p.entries += sign;
  p.digest = sign > 0 ? p.digest + hash : p.digest - hash;
  return Status::OK();
}

Status IndexBatch::Put(Family family, std::string_view logical_key, std::string_view payload) {
  STARLOG_ASSIGN_OR_RETURN(std::optional<std::string> old, Get(family, logical_key));
  if (old && *old == payload) return Status::OK();  // No new version for an unchanged entry.
  return Write(OverlayKey(family, std::string(logical_key)), payload, old ? &*old : nullptr);
}

Status IndexBatch::PutNew(Family family, std::string_view logical_key, std::string_view payload) {
  // What this event or its group wrote is still looked at (two maps, no
  // seek): a caller's proof is about the database, and a key met twice in
  // one event (a data ID named twice) must not be counted twice.
  OverlayKey key(family, std::string(logical_key));
  if (const std::optional<std::string>* v = Overlaid(key); v != nullptr && *v) {
    if (**v == payload) return Status::OK();
    const std::string old = **v;
    return Write(std::move(key), payload, &old);
  }
  return Write(std::move(key), payload, nullptr);
}

Status IndexBatch::Write(OverlayKey&& key, std::string_view payload, const std::string* old) {
  const Family family = key.first;
  const std::string_view logical_key = key.second;
  FamilyDelta& d = deltas_[family];
  if (old != nullptr) {
    const codec::Hash128 old_hash = EntryHash(family, logical_key, *old);
    d.removed = d.removed + old_hash;
    --d.live_entries;
    STARLOG_RETURN_IF_ERROR(NotePart(family, logical_key, *old, old_hash, -1));
  }
  const codec::Hash128 new_hash = EntryHash(family, logical_key, payload);
  d.added = d.added + new_hash;
  ++d.live_entries;
  STARLOG_RETURN_IF_ERROR(NotePart(family, logical_key, payload, new_hash, +1));
  std::string value;
  value.reserve(1 + payload.size());
  value.push_back(kLive);
  value.append(payload);
  STARLOG_RETURN_IF_ERROR(
      FromRocks(batch_->Put(h_[family], VersionedKey(logical_key, sequence_), value), "batch put"));
  overlay_.insert_or_assign(std::move(key), std::string(payload));
  return Status::OK();
}

Status IndexBatch::Delete(Family family, std::string_view logical_key) {
  STARLOG_ASSIGN_OR_RETURN(std::optional<std::string> old, Get(family, logical_key));
  if (!old) return Status::OK();
  FamilyDelta& d = deltas_[family];
  const codec::Hash128 old_hash = EntryHash(family, logical_key, *old);
  d.removed = d.removed + old_hash;
  --d.live_entries;
  STARLOG_RETURN_IF_ERROR(NotePart(family, logical_key, *old, old_hash, -1));
  STARLOG_RETURN_IF_ERROR(FromRocks(
      batch_->Put(h_[family], VersionedKey(logical_key, sequence_), std::string(1, kEnded)),
      "batch put"));
  overlay_[OverlayKey(family, std::string(logical_key))] = std::nullopt;
  return Status::OK();
}

void IndexBatch::MergeInto(IndexOverlay* pending) && {
  // The overlay's nodes move into "pending" whole: a rebuild merges a few
  // thousand entries an event, and copying each key cost a tenth of it.
  while (!overlay_.empty()) {
    auto node = overlay_.extract(overlay_.begin());
    auto placed = pending->insert(std::move(node));
    if (!placed.inserted) placed.position->second = std::move(placed.node.mapped());
  }
}

IndexBatch ReplayGroup::Begin(uint64_t sequence) {
  batch_.SetSavePoint();
  return IndexBatch(h_, sequence, &batch_, cache_.get(), &pending_);
}

void ReplayGroup::Keep(IndexBatch&& event) {
  for (const auto& [key, delta] : event.parts()) parts_[key] += delta;
  std::move(event).MergeInto(&pending_);
  batch_.PopSavePoint();
  ++events_;
}

void ReplayGroup::Drop() { batch_.RollbackToSavePoint(); }

bool ReplayGroup::Full() const {
  // Grouping pays for small events (a write and fresh iterators per event
  // cost more than the event itself); an event of a thousand datasets is a
  // big enough write alone, and a large overlay makes every read of the
  // events after it slower. So a group ends after a few thousand entries.
  constexpr size_t kMaxPending = 16'000;
  constexpr size_t kMaxBytes = 4 << 20;
  constexpr int kMaxEvents = 4096;
  return pending_.size() >= kMaxPending || batch_.GetDataSize() >= kMaxBytes ||
         events_ >= kMaxEvents;
}

void ReplayGroup::Reset() {
  batch_.Clear();
  pending_.clear();
  parts_.clear();
  events_ = 0;
  // New iterators: the old ones do not see what was just written.
  cache_ = std::make_unique<IteratorCache>(h_);
}

}  // namespace starlog::engine
