#include "starlog/codec/frame.h"

#include <catch2/catch.hpp>

#include "starlog/codec/coding.h"
#include "starlog/codec/hash.h"
#include "tests/testutil/frame_buffer.h"

using starlog::codec::EventType;
using starlog::codec::kFrameOverhead;
using starlog::codec::kMaxPayloadSize;
using starlog::testutil::FrameBuffer;

TEST_CASE("ReadFrame returns what AppendFrame wrote", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("first", EventType::kCreateCollection);
  frames.Write("", EventType::kTag);
  frames.Write(std::string(100'000, 'x'), EventType::kRegisterDatasets);
  auto a = frames.Read();
  REQUIRE(a.ok());
  CHECK(a->type == EventType::kCreateCollection);
  CHECK(a->payload == "first");
  CHECK(a->size == kFrameOverhead + 5);
  auto b = frames.Read();
  REQUIRE(b.ok());
  CHECK(b->type == EventType::kTag);
  CHECK(b->payload.empty());
  auto c = frames.Read();
  REQUIRE(c.ok());
  CHECK(c->payload == std::string(100'000, 'x'));
}

TEST_CASE("ReadFrame reports a flipped payload byte as corruption", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.FlipPayloadByte(3);
  auto r = frames.Read();
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("checksum") != std::string_view::npos);
}

TEST_CASE("ReadFrame rejects an empty input", "[codec][frame]") {
  FrameBuffer frames;
  REQUIRE(frames.Read().status().IsCorruption());
}

TEST_CASE("ReadFrame rejects a truncated header", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.Truncate(3);
  REQUIRE(frames.Read().status().IsCorruption());
}

TEST_CASE("ReadFrame rejects a truncated payload", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.Truncate(frames.bytes().size() - 1);
  auto r = frames.Read();
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("truncated") != std::string_view::npos);
}

TEST_CASE("ReadFrame rejects a length beyond the limit before allocating", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.SetLength(kMaxPayloadSize + 1);
  auto r = frames.Read();
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("exceeds") != std::string_view::npos);
}

TEST_CASE("ReadFrame rejects a damaged length that stays in bounds", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload-one");
  frames.Write("payload-two");
  frames.SetLength(5);  // Shorter: the checksum is read from inside the payload.
  REQUIRE(frames.Read().status().IsCorruption());
}

TEST_CASE("ReadFrame rejects an unknown type even with a valid checksum", "[codec][frame]") {
  // A frame written by a newer starlog: the checksum holds, the type is unknown.
  std::string bytes;
  starlog::codec::PutFixed32(&bytes, 3);
  bytes.push_back(static_cast<char>(200));
  bytes += "abc";
  starlog::codec::Xxh3 sum;
  sum.Update(std::string_view(bytes).substr(4));
  starlog::codec::PutFixed64(&bytes, sum.Digest());
  std::string_view in(bytes);
  auto r = starlog::codec::ReadFrame(&in);
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("unknown event type 200") != std::string_view::npos);
}

TEST_CASE("ReadFrame rejects a zero type byte (a torn write)", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.SetTypeByte(0);
  REQUIRE(frames.Read().status().IsCorruption());
}

TEST_CASE("ReadFrame rejects a zeroed tail", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.ZeroTail(8);
  REQUIRE(frames.Read().status().IsCorruption());
}

TEST_CASE("ReadFrame leaves the input unchanged on failure", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.FlipPayloadByte(0);
  std::string_view in(frames.bytes());
  const size_t before = in.size();
  REQUIRE(!starlog::codec::ReadFrame(&in).ok());
  CHECK(in.size() == before);
}

TEST_CASE("AppendFrame refuses a payload beyond the limit", "[codec][frame]") {
  std::string dst;
  std::string big(kMaxPayloadSize + 1, 'x');
  auto s = starlog::codec::AppendFrame(EventType::kTag, big, &dst);
  REQUIRE(s.IsInvalidArgument());
  CHECK(dst.empty());
}

TEST_CASE("ParseSingleFrame rejects trailing bytes", "[codec][frame]") {
  FrameBuffer frames;
  frames.Write("payload");
  frames.bytes().push_back('x');
  auto r = starlog::codec::ParseSingleFrame(frames.bytes());
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("trailing") != std::string_view::npos);
}

TEST_CASE("A payload of exactly the limit round-trips", "[codec][frame][.slow]") {
  FrameBuffer frames;
  frames.Write(std::string(kMaxPayloadSize, 'y'));
  auto r = frames.Read();
  REQUIRE(r.ok());
  CHECK(r->payload.size() == kMaxPayloadSize);
}

TEST_CASE("AnnouncedFrameSize reads a frame's size from its length alone", "[codec][frame]") {
  std::string frame;
  REQUIRE(starlog::codec::AppendRawFrame(9, "payload", &frame).ok());
  using starlog::codec::AnnouncedFrameSize;
  CHECK(AnnouncedFrameSize(frame) == frame.size());
  CHECK(AnnouncedFrameSize(std::string_view(frame).substr(0, kFrameOverhead)) == frame.size());
  CHECK(AnnouncedFrameSize(std::string_view(frame).substr(0, kFrameOverhead - 1)) == 0);
  CHECK(AnnouncedFrameSize("") == 0);
  // A length past the limit is announced as it is: the reader refuses it.
  const std::string huge = std::string("\xff\xff\xff\xff") + std::string(kFrameOverhead, '\0');
  CHECK(AnnouncedFrameSize(huge) == kFrameOverhead + uint64_t{0xffffffff});
}
