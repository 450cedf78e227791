#include "starlog/codec/event_codec.h"

#include <catch2/catch.hpp>

#include "starlog/codec/event_text.h"
#include "tests/testutil/sample_events.h"

using namespace starlog::codec;

TEST_CASE("Every event type round-trips through a frame", "[codec][event]") {
  const auto events = starlog::testutil::SampleEvents();
  REQUIRE(events.size() == kMaxEventType);
  for (const Event& e : events) {
    INFO(EventTypeName(e.type()));
    std::string frame;
    REQUIRE(AppendEventFrame(e, &frame).ok());
    auto decoded = DecodeEventFrame(frame);
    REQUIRE(decoded.ok());
    CHECK(*decoded == e);
    CHECK(decoded->type() == e.type());
  }
}

TEST_CASE("Event type names round-trip", "[codec][event]") {
  for (uint8_t t = 1; t <= kMaxEventType; ++t) {
    const auto type = static_cast<EventType>(t);
    auto back = EventTypeFromName(EventTypeName(type));
    REQUIRE(back.has_value());
    CHECK(*back == type);
  }
  CHECK_FALSE(EventTypeFromName("no-such-event").has_value());
}

TEST_CASE("Decoding rejects a payload whose type differs from the frame's", "[codec][event]") {
  const Event e = starlog::testutil::SampleEvents()[1];  // create-collection
  const std::string payload = EncodeEventPayload(e);
  auto r = DecodeEventPayload(EventType::kTag, payload);
  REQUIRE(r.status().IsCorruption());
  CHECK(r.status().message().find("differs") != std::string_view::npos);
}

TEST_CASE("Decoding rejects bytes that are not a FlatBuffers event", "[codec][event]") {
  for (std::string junk :
       {std::string(), std::string(3, 'x'), std::string(64, '\xff'), std::string(64, '\0')}) {
    auto r = DecodeEventPayload(EventType::kCreateCollection, junk);
    REQUIRE(r.status().IsCorruption());
  }
}

TEST_CASE("Decoding rejects every truncation of a frame", "[codec][event]") {
  for (const Event& e : starlog::testutil::SampleEvents()) {
    std::string frame;
    REQUIRE(AppendEventFrame(e, &frame).ok());
    for (size_t n = 0; n < frame.size(); ++n) {
      INFO(EventTypeName(e.type()) << " cut at " << n);
      REQUIRE(DecodeEventFrame(frame.substr(0, n)).status().IsCorruption());
    }
  }
}

TEST_CASE("A truncated payload fails verification or lost only padding", "[codec][event]") {
  // FlatBuffers pads to alignment, so cutting trailing padding still verifies;
  // the frame checksum is what catches that. Whatever verifies must be intact.
  for (const Event& e : starlog::testutil::SampleEvents()) {
    const std::string payload = EncodeEventPayload(e);
    for (size_t n = 0; n < payload.size(); ++n) {
      auto r = DecodeEventPayload(e.type(), payload.substr(0, n));
      INFO(EventTypeName(e.type()) << " cut at " << n);
      if (r.ok()) {
        REQUIRE(n + 8 > payload.size());
        REQUIRE(*r == e);
      }
    }
  }
}

TEST_CASE("Every event type has a description and a JSON form", "[codec][event]") {
  for (const Event& e : starlog::testutil::SampleEvents()) {
    CHECK_FALSE(DescribeEventBody(e.body).empty());
    JsonWriter j;
    WriteEventJson(e, &j);
    CHECK(j.str().front() == '{');
    CHECK(j.str().back() == '}');
    CHECK(j.str().find(std::string("\"type\":\"") + std::string(EventTypeName(e.type()))) !=
          std::string::npos);
  }
}

TEST_CASE("Collection type names parse in either case", "[codec][event]") {
  CHECK(CollectionTypeFromName("RUN") == CollectionType::kRun);
  CHECK(CollectionTypeFromName("calibration") == CollectionType::kCalibration);
  CHECK(CollectionTypeFromName("Chained") == CollectionType::kChained);
  CHECK_FALSE(CollectionTypeFromName("RUNS").has_value());
}

TEST_CASE("An event nobody submitted for its actor encodes as before via existed",
          "[codec][event]") {
  // The hash chain covers these bytes: events made by their own actor must
  // encode exactly as logs written before the field hold them. The payload
  // below was made by starlog before "via" was added.
  Event e;
  e.sequence = 7;
  e.commit_time_ns = 1'700'000'000'123'456'789;
  e.actor = "alice";
  e.body = CreateCollection{"HSC/runs/a", CollectionType::kRun, "doc"};
  std::string hex;
  for (unsigned char c : EncodeEventPayload(e)) {
    static const char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  CHECK(hex ==
        "180000000000000000000e00220010001800080007000c000e000000000000024c0000002000000007000000"
        "0000000015cd853dfe9c971700000a001000080007000c000a00000000000001100000000400000003000000"
        "646f63000a0000004853432f72756e732f61000005000000616c696365000000");
  // With a submitter it round-trips.
  e.via = "operator";
  std::string frame;
  REQUIRE(AppendEventFrame(e, &frame).ok());
  auto back = DecodeEventFrame(frame);
  REQUIRE(back.ok());
  CHECK(back->via == "operator");
  CHECK(*back == e);
}
