// A dataset's ingest_date, as the butler's where clauses read it: when it was
// registered. No field holds it: the dataset's record was written by the
// event that registered it, so its live version's sequence names that event,
// and the heads family keeps every event's commit time.

#include <rocksdb/db.h>

#include "engine/query/registry_view_impl.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"
#include "starlog/codec/coding.h"
#include "starlog/engine/time_scales.h"

namespace starlog::engine {

Result<std::optional<int64_t>> RegistryView::Impl::IngestDate(const codec::Uuid& id) const {
  STARLOG_ASSIGN_OR_RETURN(std::optional<uint64_t> sequence,
                           reader().SequenceOf(Family::kDatasetIds, keys::DatasetId(id)));
  if (!sequence) return std::optional<int64_t>();
  std::string value;
  const rocksdb::Status s = handles_.db->Get(rocksdb::ReadOptions(), handles_[Family::kHeads],
                                             codec::SequenceKey(*sequence), &value);
  if (s.IsNotFound()) {
    return Status::Corruption("dataset " + id.ToString() + " was registered by event " +
                              std::to_string(*sequence) + ", which has no head record");
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(s, "read head record"));
  STARLOG_ASSIGN_OR_RETURN(Head head, DecodeHead(value));
  // Commit times are UTC; the where language's times are TAI, as the
  // butler compares its ingest_date with T'...' literals.
  STARLOG_ASSIGN_OR_RETURN(int64_t tai, UtcToTai(head.commit_time_ns));
  return std::optional<int64_t>(tai);
}

}  // namespace starlog::engine
