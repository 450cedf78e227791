#pragma once

// Small conversions between the service schema's FlatBuffers types and ours,
// shared by the message codecs (protocol.cc, query_codec.cc). Every reader
// here runs after the verifier accepted the buffer; a null pointer is an
// absent field.

#include <flatbuffers/flatbuffers.h>

#include <string>
#include <string_view>
#include <vector>

#include "service/service_generated.h"
#include "starlog/codec/hash.h"
#include "starlog/codec/uuid.h"
#include "starlog/result.h"

namespace starlog::service::internal {

namespace fbs = ::starlog::service::fb;

inline Status Malformed(std::string_view what) {
  return Status::Corruption("malformed service message: " + std::string(what));
}

inline fbs::Hash128 ToFb(const codec::Hash128& h) { return fbs::Hash128(h.low, h.high); }

inline codec::Hash128 FromFb(const fbs::Hash128* h) {
  return h == nullptr ? codec::Hash128{} : codec::Hash128{h->low(), h->high()};
}

inline flatbuffers::Offset<flatbuffers::Vector<uint8_t>> EncodeBytes(
    flatbuffers::FlatBufferBuilder& b, std::string_view bytes) {
  return b.CreateVector(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

inline std::string Str(const flatbuffers::String* s) {
  return s == nullptr ? std::string() : s->str();
}

inline std::vector<std::string> Strings(
    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* s : *v) out.push_back(Str(s));
  return out;
}

inline std::string_view Bytes(const flatbuffers::Vector<uint8_t>* v) {
  if (v == nullptr) return {};
  return {reinterpret_cast<const char*>(v->data()), v->size()};
}

inline Result<codec::Uuid> DecodeUuid(const flatbuffers::Vector<uint8_t>* v,
                                      std::string_view what) {
  const std::string_view bytes = Bytes(v);
  if (bytes.size() != 16) return Malformed(std::string(what) + " is not 16 bytes");
  return codec::Uuid::FromBytes(bytes.data());
}

}  // namespace starlog::service::internal
