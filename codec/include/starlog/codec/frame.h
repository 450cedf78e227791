#pragma once

// A frame wraps one encoded event, identically on disk (the value of a `log`
// entry) and on the wire. Fixed-width integers are little-endian.
//
//   frame    := length type payload checksum
//   length   := fixed32         payload bytes, at most kMaxPayloadSize
//   type     := uint8           EventType; 0 is never written (zeros mean a torn write)
//   payload  := uint8[length]   FlatBuffers event, verified before any field is read
//   checksum := fixed64         XXH3-64 of type and payload
//
// There are no 32 KiB blocks as in leveldb's log: RocksDB already frames its
// own WAL, and order and staleness are caught by the sequence key and the hash
// chain (chain.h).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "starlog/codec/event_type.h"
#include "starlog/result.h"

namespace starlog::codec {

inline constexpr size_t kFrameHeaderSize = 4 + 1;
inline constexpr size_t kFrameOverhead = kFrameHeaderSize + 8;
inline constexpr uint32_t kMaxPayloadSize = 16u << 20;  // Readers reject larger lengths.

struct Frame {
  EventType type = EventType::kNone;
  std::string_view payload;  // Points into the buffer the frame was read from.
  size_t size = 0;           // Bytes the whole frame occupies.
};

// Appends the frame of ("type", "payload") to "*dst". Returns InvalidArgument
// if the payload is larger than kMaxPayloadSize.
// REQUIRES: type != EventType::kNone.
Status AppendFrame(EventType type, std::string_view payload, std::string* dst);

// Parses the frame at the front of "*input" and advances "*input" past it.
// The returned payload points into the caller's buffer. Returns Corruption if
// the frame is short, too long, fails its checksum or has an unknown type; the
// message says which. "*input" is left unchanged on failure.
Result<Frame> ReadFrame(std::string_view* input);

// For a reader of a byte stream: the size of the whole frame at the front of
// "input" as its length field announces it, or 0 while fewer than
// kFrameOverhead bytes have arrived. Nothing is checked but the arithmetic,
// so that a reader can refuse a frame longer than it accepts (as soon as its
// length is in) before it buffers the rest; ReadFrame does the checks.
uint64_t AnnouncedFrameSize(std::string_view input);

// Parses "bytes" as exactly one frame: trailing bytes are Corruption too.
Result<Frame> ParseSingleFrame(std::string_view bytes);

// The same framing for other kinds of message (replication's wire messages):
// any nonzero type byte; the caller checks what it means.
struct RawFrame {
  uint8_t type = 0;
  std::string_view payload;
  size_t size = 0;
};
Status AppendRawFrame(uint8_t type, std::string_view payload, std::string* dst);
// As ReadFrame, without the event-type check. A zero type byte is Corruption.
Result<RawFrame> ReadRawFrame(std::string_view* input);

}  // namespace starlog::codec
