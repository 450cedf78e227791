#include "engine/store/meta_keys.h"

#include "starlog/codec/coding.h"

namespace starlog::engine {

using codec::DecodeFixed64;
using codec::Hash128;
using codec::PutFixed64;

std::string EncodeHead(const Head& head) {
  std::string out;
  PutFixed64(&out, head.sequence);
  head.chain_hash.AppendTo(&out);
  head.state_digest.AppendTo(&out);
  PutFixed64(&out, static_cast<uint64_t>(head.commit_time_ns));
  return out;
}

Result<Head> DecodeHead(std::string_view bytes) {
  if (bytes.size() != kHeadRecordSize) {
    return Status::Corruption("head record of " + std::to_string(bytes.size()) + " bytes");
  }
  Head h;
  h.sequence = DecodeFixed64(bytes.data());
  h.chain_hash = Hash128::Decode(bytes.data() + 8);
  h.state_digest = Hash128::Decode(bytes.data() + 24);
  h.commit_time_ns = static_cast<int64_t>(DecodeFixed64(bytes.data() + 40));
  return h;
}

std::string EncodeFamilyStats(const FamilyStats& stats) {
  std::string out;
  PutFixed64(&out, stats.live_entries);
  stats.digest.AppendTo(&out);
  return out;
}

Result<FamilyStats> DecodeFamilyStats(std::string_view name, std::string_view bytes) {
  if (bytes.size() != 24) return Status::Corruption("family stats of " + std::string(name));
  return FamilyStats{std::string(name), DecodeFixed64(bytes.data()),
                     Hash128::Decode(bytes.data() + 8)};
}

}  // namespace starlog::engine
