#include "starlog/replication/wire.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/codec/coding.h"
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
      Auth{std::string(32, '\x7f'), id},
      Start{41, codec::Hash128{1, 2}},
      Events{{50, 1'700'000'000'000'000'100, {11, 12}, {13, 14}},
             {WireEvent{{42, 1'700'000'000'000'000'000, {3, 4}, {5, 6}}, "frame-42"},
              WireEvent{{43, 1'700'000'000'000'000'001, {7, 8}, {9, 10}}, std::string(1000, 'f')}}},
      CaughtUp{{43, 1'700'000'000'000'000'001, {7, 8}, {9, 10}}},
      Ack{43},
      Error{true, "replica diverged at event 17"},
      Error{false, "primary is shutting down"},
      FileRequest{"raw/r1/raw_1.fits", id},
      FileChunk{0, false, false, std::string(3000, 'd')},
      FileChunk{3000, true, false, "end"},
      FileChunk{0, true, true, ""},
      HeadsRequest{{1, 17, 42}},
      Heads{{43, 9, {7, 8}, {9, 10}}, {{1, 1, {1, 1}, {2, 2}}, {17, 2, {3, 3}, {4, 4}}}},
      ContentOpen{},
      ContentOpened{43, true, {WireFamily{"datasets", 7, {1, 2}}, WireFamily{"tags", 0, {}}}},
      PartsRequest{"cdigest/a", 4096, 1 << 20},
      PartsPage{false, {WirePart{"cdigest/a-b", 3, {5, 6}}}},
      EntriesRequest{5, "run/", "", 10, 1000},
      EntriesPage{true, {WireEntry{"k1", std::string(16, 'u')}, WireEntry{"k2", ""}}},
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

TEST_CASE("A partial message asks for more bytes, a whole one then reads", "[replication][wire]") {
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
  // A page of more entries than any request may ask for, each of 8 bytes:
  // refused on its count, before a single entry is made.
  std::string page = "\x01";
  codec::PutFixed32(&page, kMaxContentPageEntries + 1);
  page.append((kMaxContentPageEntries + 1) * 8, '\0');
  std::string many;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kEntriesPage), page, &many).ok());
  std::string_view too_many(many);
  auto refused = ReadMessage(&too_many);
  CHECK(refused.status().IsCorruption());
  CHECK(std::string(refused.status().message()).find("malformed entries_page") !=
        std::string::npos);
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

TEST_CASE("Session keys differ per direction and per connection, a tag covers counter and frame",
          "[replication][auth]") {
  const std::string key = "0123456789abcdef0123";
  const std::string a(kNonceSize, 'a'), b(kNonceSize, 'b'), c(kNonceSize, 'c');
  const SessionKeys keys = DeriveSessionKeys(key, a, b);
  CHECK(keys.primary_to_peer.size() == 32);
  CHECK(keys.primary_to_peer != keys.peer_to_primary);
  CHECK(DeriveSessionKeys(key, a, c).primary_to_peer != keys.primary_to_peer);
  CHECK(DeriveSessionKeys(key, b, a).primary_to_peer != keys.primary_to_peer);
  CHECK(DeriveSessionKeys("another key, 0123456", a, b).primary_to_peer != keys.primary_to_peer);
  const std::string tag = MessageTag(keys.primary_to_peer, 7, "frame");
  CHECK(tag.size() == kTagSize);
  CHECK(MessageTag(keys.primary_to_peer, 7, "frame") == tag);
  CHECK(MessageTag(keys.primary_to_peer, 8, "frame") != tag);
  CHECK(MessageTag(keys.primary_to_peer, 7, "framf") != tag);
  CHECK(MessageTag(keys.peer_to_primary, 7, "frame") != tag);
}

TEST_CASE("A channel refuses a long message by its length, and a sealed one by its tag",
          "[replication][wire][auth]") {
  // Only the header of a 15 MiB message has arrived: refused already.
  std::string header;
  codec::PutFixed32(&header, 15u << 20);
  header.append(9, 'x');
  std::string_view in(header);
  auto big = ReadChannelMessage(&in, kMaxHandshakeMessageSize, "", 0);
  CHECK(big.status().IsCorruption());
  CHECK(std::string(big.status().message()).find("before authentication") != std::string::npos);
  CHECK(in.size() == header.size());
  in = header;
  CHECK(ReadChannelMessage(&in, kMaxMessageSize, "", 0).status().IsNotFound());

  const std::string key = "a session key, 32 bytes of it...";
  std::string sealed;
  REQUIRE(AppendSealedMessage(Ack{7}, key, 3, &sealed).ok());
  REQUIRE(AppendSealedMessage(Ack{8}, key, 4, &sealed).ok());
  in = sealed;
  auto first = ReadChannelMessage(&in, kMaxMessageSize, key, 3);
  REQUIRE(first.ok());
  CHECK(std::get<Ack>(*first).head == 7);
  auto second = ReadChannelMessage(&in, kMaxMessageSize, key, 4);
  REQUIRE(second.ok());
  CHECK(in.empty());
  const auto fails = [&](const std::string& bytes, std::string_view k, uint64_t counter) {
    std::string_view v(bytes);
    const Status s = ReadChannelMessage(&v, kMaxMessageSize, k, counter).status();
    return s.IsCorruption() &&
           std::string(s.message()).find("message authentication failed") != std::string::npos;
  };
  CHECK(fails(sealed, key, 4));  // Replayed or reordered.
  CHECK(fails(sealed, "another key, 32 bytes of it.....", 3));
  std::string altered = sealed;
  altered[12] ^= 1;  // In the frame's checksum: the tag catches it first.
  CHECK(fails(altered, key, 3));
  std::string bare;
  REQUIRE(AppendMessage(Ack{7}, &bare).ok());
  bare.append(kTagSize, '\0');  // A guessed tag.
  CHECK(fails(bare, key, 3));
  // A sealed message arrives whole, tag and all, before it is read.
  std::string_view partial = std::string_view(sealed).substr(0, sealed.size() / 2 - 1);
  CHECK(ReadChannelMessage(&partial, kMaxMessageSize, key, 3).status().IsNotFound());
}

TEST_CASE("Key files must hold a key of at least 16 bytes", "[replication][auth]") {
  testutil::TempDir dir;
  std::ofstream(dir.Sub("good")) << "0123456789abcdef0123\n";
  std::ofstream(dir.Sub("short")) << "secret\n";
  std::filesystem::permissions(
      dir.Sub("good"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::permissions(dir.Sub("short"), std::filesystem::perms::owner_read);
  auto good = ReadKeyFile(dir.Sub("good"));
  REQUIRE(good.ok());
  CHECK(*good == "0123456789abcdef0123");
  CHECK(ReadKeyFile(dir.Sub("short")).status().IsInvalidArgument());
  CHECK(ReadKeyFile(dir.Sub("missing")).status().IsNotFound());
}

TEST_CASE("A key file that group or others may read is refused, as ssh refuses a private key",
          "[replication][auth]") {
  testutil::TempDir dir;
  const std::string key = dir.Sub("key");
  std::ofstream(key) << "0123456789abcdef0123\n";
  namespace fs = std::filesystem;
  for (const fs::perms extra : {fs::perms::group_read, fs::perms::others_read,
                                fs::perms::group_write, fs::perms::others_exec}) {
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write | extra);
    const auto refused = ReadKeyFile(key);
    CHECK(refused.status().IsPermissionDenied());
    CHECK(std::string(refused.status().message()).find("UNPROTECTED KEY FILE") !=
          std::string::npos);
    CHECK(std::string(refused.status().message()).find("chmod 600") != std::string::npos);
  }
  fs::permissions(key, fs::perms::owner_read);
  CHECK(ReadKeyFile(key).ok());
}

TEST_CASE("A file chunk marked missing carries nothing, counts of points cannot lie",
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
