#pragma once

// Byte-level fixture for frame tests (as leveldb's LogTest): write frames into
// a buffer, damage it in precise ways, read frames back.

#include <string>
#include <string_view>

#include "starlog/codec/frame.h"

namespace starlog::testutil {

class FrameBuffer {
 public:
  // Appends a frame of "type" around "payload".
  void Write(std::string_view payload, codec::EventType type = codec::EventType::kCreateCollection);
  // Reads the next frame from the read position, advancing past it on success.
  Result<codec::Frame> Read();

  void FlipPayloadByte(size_t i);   // Relative to the first frame's payload.
  void FlipByte(size_t i);          // Absolute offset into the buffer.
  void SetLength(uint32_t length);  // Rewrites the first frame's length field.
  void SetTypeByte(uint8_t type);   // Rewrites the first frame's type byte.
  void Truncate(size_t n);          // Drops all but the first n bytes.
  void ZeroTail(size_t n);          // Overwrites the last n bytes with zeros.

  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
  size_t read_pos_ = 0;
};

}  // namespace starlog::testutil
