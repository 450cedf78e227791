#pragma once

// Keys of the `meta` family and the encoding of their values.
//
//   "repository_id"   -> uuid(16)
//   "format_version"  -> fixed32
//   "head"            -> head_record
//   "family/<name>"   -> fixed64 live_entries, hash128 sub-digest
//
// and of the `heads` family, one entry per event:
//
//   be64(seq)         -> head_record
//
//   head_record := fixed64 sequence, hash128 chain_hash, hash128 state_digest,
//                  fixed64 commit_time_ns

#include <string>
#include <string_view>

#include "starlog/engine/event_store.h"

namespace starlog::engine {

inline constexpr std::string_view kMetaRepositoryId = "repository_id";
inline constexpr std::string_view kMetaFormatVersion = "format_version";
inline constexpr std::string_view kMetaHead = "head";
inline constexpr std::string_view kMetaFamilyPrefix = "family/";
inline constexpr size_t kHeadRecordSize = 8 + 16 + 16 + 8;

std::string EncodeHead(const Head& head);
Result<Head> DecodeHead(std::string_view bytes);

std::string EncodeFamilyStats(const FamilyStats& stats);
Result<FamilyStats> DecodeFamilyStats(std::string_view name, std::string_view bytes);

}  // namespace starlog::engine
