#include "starlog/replication/wire.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "starlog/codec/frame.h"
#include "starlog/replication/auth.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::replication;

namespace {

std::vector<Message> SampleMessages() {
  const codec::Uuid id = *codec::Uuid::Parse("840b31d9-05cd-5161-b2c8-00d32b280d0f");
  return {
      Hello{kProtocolVersion, id, std::string(kNonceSize, 'n'), "replica"},
      Auth{std::string(32, '\x7f')},
      Start{41, codec::Hash128{1, 2}},
      Events{{50, 1'700'000'000'000'000'100, {11, 12}, {13, 14}},
             {WireEvent{{42, 1'700'000'000'000'000'000, {3, 4}, {5, 6}}, "frame-42"},
              WireEvent{{43, 1'700'000'000'000'000'001, {7, 8}, {9, 10}}, std::string(1000, 'f')}}},
      CaughtUp{{43, 1'700'000'000'000'000'001, {7, 8}, {9, 10}}},
      Ack{43},
      Error{true, "replica diverged at event 17"},
      Error{false, "primary is shutting down"},
      FileRequest{"raw/r1/raw_1.fits"},
      FileChunk{0, false, false, std::string(3000, 'd')},
      FileChunk{3000, true, false, "end"},
      FileChunk{0, true, true, ""},
      HeadsRequest{{1, 17, 42}},
      Heads{{43, 9, {7, 8}, {9, 10}}, {{1, 1, {1, 1}, {2, 2}}, {17, 2, {3, 3}, {4, 4}}}},
  };
}

}  // namespace

TEST_CASE("Every wire message round-trips, and a stream reads in order", "[replication][wire]") {
  std::string stream;
  const auto messages = SampleMessages();
  for (const Message& m : messages) REQUIRE(AppendMessage(m, &stream).ok());
  std::string_view in(stream);
  for (const Message& want : messages) {
    auto got = ReadMessage(&in);
    REQUIRE(got.ok());
    CHECK(*got == want);
  }
  CHECK(in.empty());
}

TEST_CASE("A partial message asks for more bytes; a whole one then reads", "[replication][wire]") {
  std::string bytes;
  REQUIRE(AppendMessage(Error{false, "hello there"}, &bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view part(bytes.data(), n);
    auto r = ReadMessage(&part);
    INFO("first " << n << " bytes");
    REQUIRE(r.status().IsNotFound());
    CHECK(part.size() == n);
  }
  std::string_view whole(bytes);
  REQUIRE(ReadMessage(&whole).ok());
}

TEST_CASE("Damaged and malformed messages are corruption", "[replication][wire]") {
  for (const Message& m : SampleMessages()) {
    std::string bytes;
    REQUIRE(AppendMessage(m, &bytes).ok());
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string damaged = bytes;
      damaged[i] ^= 0x20;
      std::string_view in(damaged);
      auto r = ReadMessage(&in);
      INFO("byte " << i);
      // A damaged length may look like a longer partial frame; never a message.
      REQUIRE_FALSE(r.ok());
    }
  }
  // A checksum-valid frame of an unknown type, and one whose count lies.
  std::string unknown;
  REQUIRE(codec::AppendRawFrame(99, "x", &unknown).ok());
  std::string_view in(unknown);
  CHECK(ReadMessage(&in).status().IsCorruption());
  std::string lying;
  std::string payload = "\xff\xff\xff\x00";  // 16 million events, no bytes for them.
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kEvents), payload, &lying).ok());
  std::string_view lie(lying);
  auto r = ReadMessage(&lie);
  CHECK(r.status().IsCorruption());
  CHECK(std::string(r.status().message()).find("malformed events") != std::string::npos);
}

TEST_CASE("A mac proves the key, the role, the repository and both nonces", "[replication][auth]") {
  const codec::Uuid id = *codec::Uuid::Parse("840b31d9-05cd-5161-b2c8-00d32b280d0f");
  const std::string key = "a shared key of some length";
  const std::string a = RandomNonce(), b = RandomNonce();
  CHECK(a.size() == kNonceSize);
  CHECK(a != b);
  const std::string mac = ComputeMac(key, "replica", id, a, b);
  CHECK(mac.size() == 32);
  CHECK(MacMatches(mac, ComputeMac(key, "replica", id, a, b)));
  CHECK_FALSE(MacMatches(mac, ComputeMac("another shared key!", "replica", id, a, b)));
  CHECK_FALSE(MacMatches(mac, ComputeMac(key, "primary", id, a, b)));
  CHECK_FALSE(MacMatches(mac, ComputeMac(key, "replica", codec::Uuid(), a, b)));
  CHECK_FALSE(MacMatches(mac, ComputeMac(key, "replica", id, b, a)));
  CHECK_FALSE(MacMatches(mac, mac.substr(1)));
}

TEST_CASE("Key files must hold a key of at least 16 bytes", "[replication][auth]") {
  testutil::TempDir dir;
  std::ofstream(dir.Sub("good")) << "0123456789abcdef0123\n";
  std::ofstream(dir.Sub("short")) << "secret\n";
  auto good = ReadKeyFile(dir.Sub("good"));
  REQUIRE(good.ok());
  CHECK(*good == "0123456789abcdef0123");
  CHECK(ReadKeyFile(dir.Sub("short")).status().IsInvalidArgument());
  CHECK(ReadKeyFile(dir.Sub("missing")).status().IsNotFound());
}

TEST_CASE("A file chunk marked missing carries nothing; counts of points cannot lie",
          "[replication][wire]") {
  std::string payload(8, '\0');
  payload.push_back(2);  // Missing but not last.
  payload.append(std::string("\0\0\0\0", 4));
  std::string bytes;
  REQUIRE(
      codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kFileChunk), payload, &bytes).ok());
  std::string_view in(bytes);
  CHECK(ReadMessage(&in).status().IsCorruption());
  std::string lying;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kHeadsRequest),
                                std::string("\xff\xff\x00\x00", 4), &lying)
              .ok());
  std::string_view lie(lying);
  CHECK(ReadMessage(&lie).status().IsCorruption());
}
