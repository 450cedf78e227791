// The content partitions of a repository (content_digest.h): built once for
// a repository from before them, read for a comparison.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/rocks_status.h"

namespace starlog::engine {

Status EventStoreImpl::BuildContentDigests() {
  MutexLock lock(&mu_);
  STARLOG_ASSIGN_OR_RETURN(const bool kept, ContentDigestsKept(handles_));
  if (kept) return Status::OK();
  // Under the writer's lock, so no event comes between the scan and the write.
  STARLOG_ASSIGN_OR_RETURN(PartMap parts, ComputeParts(handles_));
  rocksdb::WriteBatch batch;
  STARLOG_RETURN_IF_ERROR(ReplaceStoredParts(handles_, parts, &batch));
  return Write(&batch, "record the content digests of " + root_);
}

Result<PartMap> EventStoreImpl::ContentParts(bool* computed) const {
  STARLOG_ASSIGN_OR_RETURN(std::optional<PartMap> stored, ReadStoredParts(handles_));
  *computed = !stored;
  if (stored) return *std::move(stored);
  return ComputeParts(handles_);
}

}  // namespace starlog::engine
