#include "engine/store/content_digest.h"

#include <rocksdb/write_batch.h>

#include <memory>

#include "engine/store/rocks_status.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/coding.h"

namespace starlog::engine {

namespace {

// The bytes of "key" taken by its first "strings" S() components: each ends
// at the first 00 01 (a NUL inside is 00 ff). Read on every index write of a
// partitioned family, so it copies nothing.
Result<std::string_view> StringsPrefix(std::string_view key, int strings) {
  size_t pos = 0;
  for (int i = 0; i < strings; ++i) {
    while (true) {
      const size_t nul = key.find('\0', pos);
      if (nul == std::string_view::npos || nul + 1 >= key.size()) {
        return Status::Corruption("key without its leading strings");
      }
      pos = nul + 2;
      if (key[nul + 1] == '\x01') break;
      if (key[nul + 1] != '\xff') return Status::Corruption("key with a bad escape");
    }
  }
  return key.substr(0, pos);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool HasContentPartition(Family family) {
  switch (family) {
    case Family::kDatasets:
    case Family::kTags:
    case Family::kCalibrations:
    case Family::kDimensionRecords:
    case Family::kArtifacts:
      return true;
    default:
      return false;
  }
}

std::string_view PartMetaPrefix(Family family) {
  return family == Family::kDimensionRecords ? kMetaRecordDigestPrefix
                                             : kMetaCollectionDigestPrefix;
}

Result<std::string_view> PartRange(Family family, std::string_view logical_key) {
  auto prefix = StringsPrefix(logical_key, family == Family::kDimensionRecords ? 1 : 2);
  if (!prefix.ok()) {
    return Status::Corruption("an entry of " + std::string(FamilyName(family)) +
                              " without its collection and type");
  }
  return *prefix;
}

Result<std::string> PartKeyOf(Family family, std::string_view logical_key) {
  STARLOG_ASSIGN_OR_RETURN(std::string_view range, PartRange(family, logical_key));
  std::string key(PartMetaPrefix(family));
  key.append(range);
  return key;
}

Result<std::string> ArtifactPartKey(std::string_view dataset_record) {
  auto prefix = StringsPrefix(dataset_record, 2);
  if (!prefix.ok()) return Status::Corruption("a dataset record without its run and type");
  std::string key(kMetaCollectionDigestPrefix);
  key.append(*prefix);
  return key;
}

Result<codec::Hash128> PartHash(Family family, std::string_view logical_key,
                                std::string_view payload, const codec::Hash128& entry_hash) {
  if (family != Family::kDimensionRecords) return entry_hash;
  if (payload.size() < kRecordOrdinalBytes) {
    return Status::Corruption("a dimension record without its ordinal");
  }
  return EntryHash(family, logical_key, payload.substr(kRecordOrdinalBytes));
}

std::string EncodePartStats(const PartStats& stats) {
  std::string out;
  codec::PutFixed64(&out, static_cast<uint64_t>(stats.entries));
  stats.digest.AppendTo(&out);
  return out;
}

Result<PartStats> DecodePartStats(std::string_view bytes) {
  if (bytes.size() != 24) return Status::Corruption("content digest of unexpected size");
  return PartStats{static_cast<int64_t>(codec::DecodeFixed64(bytes.data())),
                   codec::Hash128::Decode(bytes.data() + 8)};
}

Status AddToStoredParts(const DbHandles& h, const PartMap& delta, rocksdb::WriteBatch* batch) {
  for (const auto& [key, d] : delta) {
    if (d.entries == 0 && d.digest == codec::Hash128()) continue;
    PartStats stored;
    std::string value;
    const rocksdb::Status s = h.db->Get(rocksdb::ReadOptions(), h[Family::kMeta], key, &value);
    if (!s.IsNotFound()) {
      STARLOG_RETURN_IF_ERROR(FromRocks(s, "read content digest"));
      STARLOG_ASSIGN_OR_RETURN(stored, DecodePartStats(value));
    }
    stored += d;
    if (stored.entries < 0) return Status::Corruption("a content digest below no entries");
    const rocksdb::Status w = stored.entries == 0
                                  ? batch->Delete(h[Family::kMeta], key)
                                  : batch->Put(h[Family::kMeta], key, EncodePartStats(stored));
    STARLOG_RETURN_IF_ERROR(FromRocks(w, "batch put"));
  }
  return Status::OK();
}

Result<PartMap> ComputeParts(const DbHandles& h, uint64_t as_of) {
  IteratorCache cache(h);
  IndexReader reader(h, as_of, &cache);
  PartMap parts;
  Status failed;
  const auto add = [&](Family family, const std::string& part, std::string_view k,
                       std::string_view v) {
    auto hash = PartHash(family, k, v, EntryHash(family, k, v));
    if (!hash.ok()) {
      failed = hash.status();
      return false;
    }
    PartStats& p = parts[part];
    p.entries += 1;
    p.digest = p.digest + *hash;
    return true;
  };
  for (Family family :
       {Family::kDatasets, Family::kTags, Family::kCalibrations, Family::kDimensionRecords}) {
    STARLOG_RETURN_IF_ERROR(reader.Scan(family, "", [&](std::string_view k, std::string_view v) {
      auto part = PartKeyOf(family, k);
      if (!part.ok()) {
        failed = part.status();
        return false;
      }
      return add(family, std::move(part).value(), k, v);
    }));
    STARLOG_RETURN_IF_ERROR(failed);
  }
  // Artifacts are keyed by dataset id alone: their RUN comes from dataset_ids,
  // read in the same (uuid) order, so each look-up is a short re-seek.
  IndexReader ids(h, as_of, &cache);
  STARLOG_RETURN_IF_ERROR(
      reader.Scan(Family::kArtifacts, "", [&](std::string_view k, std::string_view v) {
        auto record = ids.Get(Family::kDatasetIds, k);
        if (!record.ok() || !*record) {
          failed = record.ok() ? Status::Corruption("an artifact of no dataset") : record.status();
          return false;
        }
        auto part = ArtifactPartKey(**record);
        if (!part.ok()) {
          failed = part.status();
          return false;
        }
        return add(Family::kArtifacts, std::move(part).value(), k, v);
      }));
  STARLOG_RETURN_IF_ERROR(failed);
  return parts;
}

Result<bool> ContentDigestsKept(const DbHandles& h) {
  std::string marker;
  const rocksdb::Status m = h.db->Get(rocksdb::ReadOptions(), h[Family::kMeta],
                                      std::string(kMetaContentDigestsBuilt), &marker);
  if (m.IsNotFound()) return false;
  STARLOG_RETURN_IF_ERROR(FromRocks(m, "read content digests"));
  return true;
}

Result<std::optional<PartMap>> ReadStoredParts(const DbHandles& h) {
  STARLOG_ASSIGN_OR_RETURN(const bool kept, ContentDigestsKept(h));
  if (!kept) return std::optional<PartMap>();
  PartMap parts;
  std::unique_ptr<rocksdb::Iterator> it(
      h.db->NewIterator(rocksdb::ReadOptions(), h[Family::kMeta]));
  for (std::string_view prefix : {kMetaCollectionDigestPrefix, kMetaRecordDigestPrefix}) {
    for (it->Seek(prefix); it->Valid() && StartsWith(it->key().ToStringView(), prefix);
         it->Next()) {
      STARLOG_ASSIGN_OR_RETURN(PartStats p, DecodePartStats(it->value().ToStringView()));
      parts.emplace(it->key().ToString(), p);
    }
    STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "read content digests"));
  }
  return std::optional<PartMap>(std::move(parts));
}

Status ReplaceStoredParts(const DbHandles& h, const PartMap& parts, rocksdb::WriteBatch* batch) {
  std::unique_ptr<rocksdb::Iterator> it(
      h.db->NewIterator(rocksdb::ReadOptions(), h[Family::kMeta]));
  for (std::string_view prefix : {kMetaCollectionDigestPrefix, kMetaRecordDigestPrefix}) {
    for (it->Seek(prefix); it->Valid() && StartsWith(it->key().ToStringView(), prefix);
         it->Next()) {
      if (parts.count(it->key().ToString()) == 0) {
        STARLOG_RETURN_IF_ERROR(FromRocks(batch->Delete(h[Family::kMeta], it->key()), "batch put"));
      }
    }
    STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "read content digests"));
  }
  for (const auto& [key, p] : parts) {
    if (p.entries == 0) continue;
    STARLOG_RETURN_IF_ERROR(
        FromRocks(batch->Put(h[Family::kMeta], key, EncodePartStats(p)), "batch put"));
  }
  return FromRocks(batch->Put(h[Family::kMeta], std::string(kMetaContentDigestsBuilt), "1"),
                   "batch put");
}

}  // namespace starlog::engine
