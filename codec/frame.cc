#include "starlog/codec/frame.h"

#include <cassert>

#include "starlog/codec/coding.h"
#include "starlog/codec/hash.h"

namespace starlog::codec {

namespace {

uint64_t FrameChecksum(char type_byte, std::string_view payload) {
  Xxh3 sum;
  sum.Update({&type_byte, 1});
  sum.Update(payload);
  return sum.Digest();
}

}  // namespace

Status AppendFrame(EventType type, std::string_view payload, std::string* dst) {
  assert(type != EventType::kNone);  // Callers pass an event that was validated.
  return AppendRawFrame(static_cast<uint8_t>(type), payload, dst);
}

Status AppendRawFrame(uint8_t type, std::string_view payload, std::string* dst) {
  if (payload.size() > kMaxPayloadSize) {
    return Status::InvalidArgument("payload of " + std::to_string(payload.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(kMaxPayloadSize));
  }
  assert(type != 0);  // Zero marks a torn write.
  const char type_byte = static_cast<char>(type);
  dst->reserve(dst->size() + kFrameOverhead + payload.size());
  PutFixed32(dst, static_cast<uint32_t>(payload.size()));
  dst->push_back(type_byte);
  dst->append(payload);
  PutFixed64(dst, FrameChecksum(type_byte, payload));
  return Status::OK();
}

uint64_t AnnouncedFrameSize(std::string_view input) {
  if (input.size() < kFrameOverhead) return 0;
  return kFrameOverhead + uint64_t{DecodeFixed32(input.data())};
}

Result<RawFrame> ReadRawFrame(std::string_view* input) {
  const std::string_view in = *input;
  if (in.size() < kFrameOverhead) {
    return Status::Corruption("frame truncated: " + std::to_string(in.size()) +
                              " bytes, a frame needs at least " + std::to_string(kFrameOverhead));
  }
  const uint32_t length = DecodeFixed32(in.data());
  // Bound the length before anything is sized by it.
  if (length > kMaxPayloadSize) {
    return Status::Corruption("frame length " + std::to_string(length) + " exceeds the limit of " +
                              std::to_string(kMaxPayloadSize));
  }
  const size_t total = kFrameOverhead + static_cast<size_t>(length);
  if (in.size() < total) {
    return Status::Corruption("frame truncated: length says " + std::to_string(total) + " bytes, " +
                              std::to_string(in.size()) + " present");
  }
  const char type_byte = in[4];
  const std::string_view payload = in.substr(kFrameHeaderSize, length);
  const uint64_t stored = DecodeFixed64(in.data() + kFrameHeaderSize + length);
  if (stored != FrameChecksum(type_byte, payload)) {
    return Status::Corruption("frame checksum mismatch");
  }
  if (type_byte == 0) return Status::Corruption("frame with type 0 (a zeroed or torn write)");
  input->remove_prefix(total);
  return RawFrame{static_cast<uint8_t>(type_byte), payload, total};
}

Result<Frame> ReadFrame(std::string_view* input) {
  std::string_view in = *input;
  STARLOG_ASSIGN_OR_RETURN(RawFrame raw, ReadRawFrame(&in));
  if (!IsKnownEventType(raw.type)) {
    return Status::Corruption("unknown event type " + std::to_string(raw.type));
  }
  *input = in;
  return Frame{static_cast<EventType>(raw.type), raw.payload, raw.size};
}

Result<Frame> ParseSingleFrame(std::string_view bytes) {
  std::string_view in = bytes;
  STARLOG_ASSIGN_OR_RETURN(Frame frame, ReadFrame(&in));
  if (!in.empty()) {
    return Status::Corruption(std::to_string(in.size()) + " trailing bytes after the frame");
  }
  return frame;
}

}  // namespace starlog::codec
