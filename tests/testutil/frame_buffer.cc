#include "tests/testutil/frame_buffer.h"

#include <catch2/catch.hpp>

#include "starlog/codec/coding.h"

namespace starlog::testutil {

void FrameBuffer::Write(std::string_view payload, codec::EventType type) {
  REQUIRE(codec::AppendFrame(type, payload, &bytes_).ok());
}

Result<codec::Frame> FrameBuffer::Read() {
  std::string_view in(bytes_);
  in.remove_prefix(read_pos_);
  const size_t before = in.size();
  auto frame = codec::ReadFrame(&in);
  if (frame.ok()) read_pos_ += before - in.size();
  return frame;
}

void FrameBuffer::FlipPayloadByte(size_t i) { bytes_.at(codec::kFrameHeaderSize + i) ^= 0x01; }
void FrameBuffer::FlipByte(size_t i) { bytes_.at(i) ^= 0x01; }

void FrameBuffer::SetLength(uint32_t length) {
  std::string encoded;
  codec::PutFixed32(&encoded, length);
  bytes_.replace(0, 4, encoded);
}

void FrameBuffer::SetTypeByte(uint8_t type) { bytes_.at(4) = static_cast<char>(type); }
void FrameBuffer::Truncate(size_t n) { bytes_.resize(n); }

void FrameBuffer::ZeroTail(size_t n) {
  for (size_t i = bytes_.size() - n; i < bytes_.size(); ++i) bytes_[i] = '\0';
}

}  // namespace starlog::testutil
