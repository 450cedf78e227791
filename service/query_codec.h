#pragma once

// The FlatBuffers side of the read messages (protocol.h, since version 2):
// queries, their pages of rows, more and wait. protocol.cc calls these from
// its encoder and decoder; each decoder runs after the verifier accepted the
// buffer and checks what it cannot (enum ranges, id sizes, a field named
// twice).

#include <flatbuffers/flatbuffers.h>

#include <vector>

#include "service/service_generated.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"

namespace starlog::service::internal {

flatbuffers::Offset<void> EncodeQueryRequest(flatbuffers::FlatBufferBuilder& b,
                                             const QueryRequest& m);
flatbuffers::Offset<void> EncodeQueryReply(flatbuffers::FlatBufferBuilder& b, const QueryReply& m);
flatbuffers::Offset<void> EncodeMoreRequest(flatbuffers::FlatBufferBuilder& b,
                                            const MoreRequest& m);
flatbuffers::Offset<void> EncodeWaitRequest(flatbuffers::FlatBufferBuilder& b,
                                            const WaitRequest& m);
flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::FamilyStats>>> EncodeFamilies(
    flatbuffers::FlatBufferBuilder& b, const std::vector<engine::FamilyStats>& families);

Result<QueryRequest> DecodeQueryRequest(const fb::QueryRequest& m);
Result<QueryReply> DecodeQueryReply(const fb::QueryReply& m);
MoreRequest DecodeMoreRequest(const fb::MoreRequest& m);
Result<WaitRequest> DecodeWaitRequest(const fb::WaitRequest& m);
std::vector<engine::FamilyStats> DecodeFamilies(
    const flatbuffers::Vector<flatbuffers::Offset<fb::FamilyStats>>* v);

}  // namespace starlog::service::internal
