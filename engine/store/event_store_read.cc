#include <rocksdb/db.h>

#include <memory>

#include "engine/query/registry_view_impl.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/meta_keys.h"
#include "engine/store/rocks_status.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"

namespace starlog::engine {

using codec::Hash128;

Result<std::vector<LogRecord>> EventStoreImpl::ReadLog(uint64_t from, size_t limit) const {
  if (from == 0) from = 1;
  std::vector<LogRecord> out;
  // Events past the head readers see (still awaiting their fsync) are left out.
  const uint64_t last = head().sequence;
  if (from > last) return out;
  STARLOG_ASSIGN_OR_RETURN(Hash128 previous, ChainHashAt(from - 1));
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> log(db_->NewIterator(ro, handles_[Family::kLog]));
  std::unique_ptr<rocksdb::Iterator> heads(db_->NewIterator(ro, handles_[Family::kHeads]));
  const std::string start = codec::SequenceKey(from);
  log->Seek(start);
  heads->Seek(start);
  uint64_t expected = from;
  for (; log->Valid() && out.size() < limit && expected <= last;
       log->Next(), heads->Next(), ++expected) {
    const std::string where = "event " + std::to_string(expected);
    if (log->key().size() != 8 || codec::DecodeBigEndian64(log->key().data()) != expected) {
      return Status::Corruption(where + ": the log is not dense here");
    }
    if (!heads->Valid() || heads->key() != log->key()) {
      return Status::Corruption(where + ": no recorded chain hash");
    }
    const std::string_view frame = log->value().ToStringView();
    Status s = codec::ParseSingleFrame(frame).status();
    if (!s.ok()) return s.WithContext(where);
    STARLOG_ASSIGN_OR_RETURN(Head recorded, DecodeHead(heads->value().ToStringView()));
    LogRecord record;
    record.sequence = expected;
    record.frame.assign(frame);
    record.chain_hash = codec::NextChainHash(previous, frame);
    if (record.chain_hash != recorded.chain_hash) {
      return Status::Corruption(where + ": chain hash " + record.chain_hash.ToHex() +
                                " differs from the recorded " + recorded.chain_hash.ToHex());
    }
    record.state_digest = recorded.state_digest;
    record.commit_time_ns = recorded.commit_time_ns;
    previous = record.chain_hash;
    out.push_back(std::move(record));
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(log->status(), "read log"));
  return out;
}

Result<Hash128> EventStoreImpl::ChainHashAt(uint64_t sequence) const {
  if (sequence == 0) return codec::kGenesisChainHash;
  STARLOG_ASSIGN_OR_RETURN(Head h, HeadAt(sequence));
  return h.chain_hash;
}

Result<uint64_t> EventStoreImpl::SequenceAtTime(int64_t time_ns) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[Family::kTime]));
  // The last key at or before (time_ns, max sequence).
  it->SeekForPrev(TimeKey(time_ns, ~uint64_t{0}));
  if (!it->Valid()) {
    STARLOG_RETURN_IF_ERROR(FromRocks(it->status(), "read time index"));
    return uint64_t{0};
  }
  if (it->key().size() != 16) return Status::Corruption("time index key of unexpected size");
  // An event still awaiting its fsync is not in the log yet for readers; the
  // ones before it (commit times never go backwards) are no later than it.
  return std::min(codec::DecodeBigEndian64(it->key().data() + 8), head().sequence);
}

Status EventStoreImpl::VerifyLog() const {
  constexpr size_t kChunk = 4096;
  const uint64_t last = head().sequence;
  uint64_t next = 1;
  while (next <= last) {
    STARLOG_ASSIGN_OR_RETURN(std::vector<LogRecord> records, ReadLog(next, kChunk));
    if (records.empty()) {
      return Status::Corruption("event " + std::to_string(next) + ": missing; the head is " +
                                std::to_string(last));
    }
    for (const LogRecord& r : records) {
      auto event = codec::DecodeEventFrame(r.frame);
      if (!event.ok()) return event.status().WithContext("event " + std::to_string(r.sequence));
      if (event->sequence != r.sequence) {
        return Status::Corruption("event " + std::to_string(r.sequence) +
                                  ": payload says sequence " + std::to_string(event->sequence));
      }
    }
    next = records.back().sequence + 1;
  }
  STARLOG_ASSIGN_OR_RETURN(Hash128 at_head, ChainHashAt(last));
  if (last != 0 && at_head != head().chain_hash) {
    return Status::Corruption("the head's chain hash differs from the one recorded for event " +
                              std::to_string(last));
  }
  return Status::OK();
}

Result<Head> EventStoreImpl::HeadAt(uint64_t sequence) const {
  if (sequence == 0) return Head{};
  if (sequence > head().sequence) {
    return Status::NotFound("no event " + std::to_string(sequence) + " in the log");
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[Family::kHeads],
                               codec::SequenceKey(sequence), &value);
  if (s.IsNotFound()) {
    return Status::NotFound("no event " + std::to_string(sequence) + " in the log");
  }
  STARLOG_RETURN_IF_ERROR(FromRocks(s, "read head record"));
  return DecodeHead(value);
}

Result<DigestReport> EventStoreImpl::ComputeStateDigest(uint64_t as_of) const {
  DigestReport report;
  report.sequence = as_of == kAtHead ? head().sequence : as_of;
  const IndexReader reader(handles_, report.sequence);
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const auto family = static_cast<Family>(i);
    FamilyStats stats{std::string(kFamilyNames[i]), 0, {}};
    STARLOG_RETURN_IF_ERROR(reader.Scan(family, "", [&](std::string_view k, std::string_view v) {
      stats.digest = stats.digest + EntryHash(family, k, v);
      ++stats.live_entries;
      return true;
    }));
    report.total = report.total + stats.digest;
    report.families.push_back(std::move(stats));
  }
  return report;
}

Result<RegistryView> EventStoreImpl::View(uint64_t as_of) const {
  std::shared_ptr<const Universe> universe;
  uint64_t head;
  {
    MutexLock lock(&mu_);
    universe = universe_;
    head = head_.sequence;
  }
  if (as_of == kAtHead) as_of = head;
  if (as_of > head) {
    return Status::InvalidArgument("sequence " + std::to_string(as_of) + " is past the head (" +
                                   std::to_string(head) + ")");
  }
  return RegistryView(std::make_shared<const RegistryView::Impl>(handles_, as_of, universe));
}

}  // namespace starlog::engine
