// The content partitions of a repository (content_digest.h): built once for
// a repository from before them, read for a comparison.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"

namespace starlog::engine {

Status EventStoreImpl::BuildContentDigests() {
  MutexLock lock(&mu_);
  STARLOG_ASSIGN_OR_RETURN(const bool kept, ContentDigestsKept(handles_));
  if (kept) return Status::OK();
  // Under the writer's lock, so no event comes between the scan and the write.
  STARLOG_ASSIGN_OR_RETURN(PartMap parts, ComputeParts(handles_, kLatest));
  rocksdb::WriteBatch batch;
  STARLOG_RETURN_IF_ERROR(ReplaceStoredParts(handles_, parts, &batch));
  return Write(&batch, "record the content digests of " + root_);
}

Result<PartMap> EventStoreImpl::ContentParts(bool* computed) const {
  STARLOG_ASSIGN_OR_RETURN(std::optional<PartMap> stored, ReadStoredParts(handles_));
  *computed = !stored;
  if (stored) return *std::move(stored);
  return ComputeParts(handles_, kLatest);
}

Result<ContentPoint> EventStoreImpl::ReadContentPoint() const {
  ContentPoint point;
  {
    // Writers publish the head, the family stats and the partitions in one
    // batch under mu_; a follower's catching up holds refresh_mu_. With
    // both held, the three are read as of the same event.
    MutexLock refreshing(&refresh_mu_);
    MutexLock lock(&mu_);
    const rocksdb::ReadOptions ro;
    std::string value;
    rocksdb::Status s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaHead), &value);
    if (!s.IsNotFound()) {
      STARLOG_RETURN_IF_ERROR(FromRocks(s, "read head"));
      STARLOG_ASSIGN_OR_RETURN(Head head, DecodeHead(value));
      point.head = head.sequence;
    }
    for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
      const std::string name(kFamilyNames[i]);
      s = db_->Get(ro, handles_[Family::kMeta], std::string(kMetaFamilyPrefix) + name, &value);
      if (s.IsNotFound()) {
        point.families.push_back(FamilyStats{name, 0, {}});
        continue;
      }
      STARLOG_RETURN_IF_ERROR(FromRocks(s, "read family stats"));
      STARLOG_ASSIGN_OR_RETURN(FamilyStats stats, DecodeFamilyStats(name, value));
      point.families.push_back(std::move(stats));
    }
    STARLOG_ASSIGN_OR_RETURN(point.parts, ReadStoredParts(handles_));
  }
  // Versioned reads as of the head need no lock: later events do not change them.
  if (!point.parts) {
    point.scanned = true;
    STARLOG_ASSIGN_OR_RETURN(point.parts, ComputeParts(handles_, point.head));
  }
  return point;
}

}  // namespace starlog::engine
