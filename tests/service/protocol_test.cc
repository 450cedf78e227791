// The service protocol's messages: every one round-trips, and decoding
// refuses what a hostile client could send.

#include "starlog/service/protocol.h"

#include <catch2/catch.hpp>
#include <string>

#include "service/service_generated.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/frame.h"

using namespace starlog;
using namespace starlog::service;

namespace {

namespace fbs = service::fb;

std::string Encode(const Message& message) {
  std::string out;
  REQUIRE(AppendMessage(message, &out).ok());
  return out;
}

Message RoundTrip(const Message& message) {
  const std::string bytes = Encode(message);
  auto decoded = DecodeMessage(bytes);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  CHECK(Encode(*decoded) == bytes);
  return std::move(*decoded);
}

// Frames a hand-built payload as message "type".
std::string Frame(flatbuffers::FlatBufferBuilder& b, MessageType type) {
  std::string out;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(type),
                                {reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()},
                                &out)
              .ok());
  return out;
}

std::string EditFrame(flatbuffers::FlatBufferBuilder& b, fbs::Edit type,
                      flatbuffers::Offset<void> edit) {
  auto request = fbs::CreateEditRequest(b, type, edit);
  b.Finish(fbs::CreateMessage(b, fbs::Body_EditRequest, request.Union()));
  return Frame(b, MessageType::kEdit);
}

}  // namespace

TEST_CASE("Every service message round-trips", "[service][protocol]") {
  Hello hello;
  hello.repository_id = codec::RandomUuidV4();
  hello.user = "nobody";
  auto h = std::get<Hello>(RoundTrip(hello));
  CHECK(h.version == kServiceProtocolVersion);
  CHECK(h.repository_id == hello.repository_id);
  CHECK(h.user == "nobody");
  CHECK(std::get<Hello>(RoundTrip(Hello{})).repository_id.IsNil());

  engine::AppendEdit append;
  append.bodies.push_back(codec::CreateCollection{"run", codec::CollectionType::kRun, "doc"});
  append.bodies.push_back(codec::SetChain{"chain", {"run"}});
  auto a = std::get<engine::AppendEdit>(std::get<EditRequest>(RoundTrip(EditRequest{append})).edit);
  CHECK(a.bodies == append.bodies);

  auto ensure = std::get<engine::EnsureCollectionEdit>(
      std::get<EditRequest>(RoundTrip(EditRequest{engine::EnsureCollectionEdit{
                                "t", codec::CollectionType::kTagged, std::nullopt}}))
          .edit);
  CHECK(ensure.type == codec::CollectionType::kTagged);
  CHECK_FALSE(ensure.doc.has_value());
  CHECK(std::get<engine::EnsureCollectionEdit>(
            std::get<EditRequest>(RoundTrip(EditRequest{engine::EnsureCollectionEdit{
                                      "t", codec::CollectionType::kRun, std::string()}}))
                .edit)
            .doc == std::string());

  CHECK(std::get<engine::RemoveRunsEdit>(
            std::get<EditRequest>(RoundTrip(EditRequest{engine::RemoveRunsEdit{{"a", "b*"}}})).edit)
            .patterns == std::vector<std::string>{"a", "b*"});

  engine::ChainEditEdit chain{"c", engine::ChainEdit::kPop, {"0", "-1"}, "a chain", true};
  auto c =
      std::get<engine::ChainEditEdit>(std::get<EditRequest>(RoundTrip(EditRequest{chain})).edit);
  CHECK(c.chain == "c");
  CHECK(c.edit == engine::ChainEdit::kPop);
  CHECK(c.names == chain.names);
  CHECK(c.doc == "a chain");
  CHECK(c.flatten);

  auto role = std::get<engine::PolicyRoleEdit>(
      std::get<EditRequest>(RoundTrip(EditRequest{engine::PolicyRoleEdit{"admin", "ann", false}}))
          .edit);
  CHECK(role.role == "admin");
  CHECK(role.user == "ann");
  CHECK_FALSE(role.grant);

  engine::PruneEdit prune{{codec::RandomUuidV4(), codec::RandomUuidV4()},
                          engine::PruneMode::kPurge};
  auto p = std::get<engine::PruneEdit>(std::get<EditRequest>(RoundTrip(EditRequest{prune})).edit);
  CHECK(p.ids == prune.ids);
  CHECK(p.mode == engine::PruneMode::kPurge);

  CHECK(std::holds_alternative<InfoRequest>(RoundTrip(InfoRequest{})));

  auto status = std::get<StatusReply>(RoundTrip(StatusReply{Status::Conflict("'x' exists")}));
  CHECK(status.status.IsConflict());
  CHECK(status.status.message() == "'x' exists");

  engine::EditResult result;
  result.head.sequence = 42;
  result.head.chain_hash = {1, 2};
  result.head.state_digest = {3, 4};
  result.head.commit_time_ns = 5;
  result.first = 40;
  result.names = {"a", "b"};
  result.created = true;
  result.datasets = 6;
  result.files_deleted = 7;
  result.file_errors = {"gone"};
  auto r = std::get<EditReply>(RoundTrip(EditReply{result})).result;
  CHECK(r.head.sequence == 42);
  CHECK(r.head.chain_hash == codec::Hash128{1, 2});
  CHECK(r.head.state_digest == codec::Hash128{3, 4});
  CHECK(r.head.commit_time_ns == 5);
  CHECK(r.first == 40);
  CHECK(r.names == result.names);
  CHECK(r.created);
  CHECK(r.datasets == 6);
  CHECK(r.files_deleted == 7);
  CHECK(r.file_errors == result.file_errors);

  ServiceInfo info{codec::RandomUuidV4(), result.head};
  auto i = std::get<InfoReply>(RoundTrip(InfoReply{info})).info;
  CHECK(i.repository_id == info.repository_id);
  CHECK(i.head.sequence == 42);
}

TEST_CASE("An OK status is not a reply", "[service][protocol]") {
  std::string out;
  CHECK(AppendMessage(StatusReply{Status::OK()}, &out).IsInvalidArgument());
}

TEST_CASE("Decoding refuses broken frames", "[service][protocol]") {
  const std::string good = Encode(InfoRequest{});
  CHECK(DecodeMessage("").status().IsCorruption());
  CHECK(DecodeMessage(good.substr(0, good.size() - 1)).status().IsCorruption());
  CHECK(DecodeMessage(good + "x").status().IsCorruption());
  std::string flipped = good;
  flipped[codec::kFrameHeaderSize] ^= 1;
  CHECK(DecodeMessage(flipped).status().IsCorruption());
  std::string zeros(good.size(), '\0');
  CHECK(DecodeMessage(zeros).status().IsCorruption());
}

TEST_CASE("Decoding refuses an unknown type, or a type byte that differs from the body",
          "[service][protocol]") {
  std::string payload = Encode(InfoRequest{}).substr(codec::kFrameHeaderSize);
  payload.resize(payload.size() - 8);
  std::string unknown;
  REQUIRE(codec::AppendRawFrame(7, payload, &unknown).ok());
  CHECK(DecodeMessage(unknown).status().IsCorruption());
  std::string mismatched;
  REQUIRE(
      codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kHello), payload, &mismatched).ok());
  auto decoded = DecodeMessage(mismatched);
  CHECK(decoded.status().IsCorruption());
  std::string not_flatbuffers;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kInfo), "junk", &not_flatbuffers)
              .ok());
  CHECK(DecodeMessage(not_flatbuffers).status().IsCorruption());
}

TEST_CASE("Decoding refuses enums out of range, short ids and bad event payloads",
          "[service][protocol]") {
  {
    flatbuffers::FlatBufferBuilder b;
    auto name = b.CreateString("x");
    auto edit = fbs::CreateEnsureCollectionEdit(b, name, static_cast<fbs::CollectionType>(9));
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_EnsureCollectionEdit, edit.Union()))
              .status()
              .IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto chain = b.CreateString("c");
    auto edit = fbs::CreateChainEditEdit(b, chain, static_cast<fbs::ChainEditMode>(5));
    CHECK(
        DecodeMessage(EditFrame(b, fbs::Edit_ChainEditEdit, edit.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    const uint8_t bytes[17] = {};
    auto edit = fbs::CreatePruneEdit(b, b.CreateVector(bytes, 17), fbs::PruneMode_Forget);
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_PruneEdit, edit.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto edit = fbs::CreatePruneEdit(b, 0, static_cast<fbs::PruneMode>(3));
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_PruneEdit, edit.Union())).status().IsCorruption());
  }
  for (uint8_t type : {uint8_t{0}, uint8_t{codec::kMaxEventType + 1}, uint8_t{3}}) {
    // Type 3 is a known event whose payload is another event's.
    codec::Event event;
    event.body = codec::CreateCollection{"x", codec::CollectionType::kRun, ""};
    const std::string payload = codec::EncodeEventPayload(event);
    flatbuffers::FlatBufferBuilder b;
    auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
    std::vector<flatbuffers::Offset<fbs::EventBytes>> events = {
        fbs::CreateEventBytes(b, type, bytes)};
    auto edit = fbs::CreateAppendEdit(b, b.CreateVector(events));
    INFO(int{type});
    auto decoded = DecodeMessage(EditFrame(b, fbs::Edit_AppendEdit, edit.Union()));
    CHECK(decoded.status().IsCorruption());
    CHECK(decoded.status().message().find("event 1 of the append") != std::string_view::npos);
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto reply = fbs::CreateStatusReply(b, 0, b.CreateString("fine"));
    b.Finish(fbs::CreateMessage(b, fbs::Body_StatusReply, reply.Union()));
    CHECK(DecodeMessage(Frame(b, MessageType::kStatus)).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto hello = fbs::CreateHello(b, 1, b.CreateVector(std::vector<uint8_t>(15)));
    b.Finish(fbs::CreateMessage(b, fbs::Body_Hello, hello.Union()));
    CHECK(DecodeMessage(Frame(b, MessageType::kHello)).status().IsCorruption());
  }
}

TEST_CASE("The sequence, time and actor an append's payload carries do not survive decoding",
          "[service][protocol]") {
  codec::Event forged;
  forged.sequence = 7;
  forged.commit_time_ns = 8;
  forged.actor = "operator";
  forged.body = codec::CreateCollection{"x", codec::CollectionType::kRun, ""};
  const std::string payload = codec::EncodeEventPayload(forged);
  flatbuffers::FlatBufferBuilder b;
  auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  std::vector<flatbuffers::Offset<fbs::EventBytes>> events = {
      fbs::CreateEventBytes(b, static_cast<uint8_t>(forged.type()), bytes)};
  auto edit = fbs::CreateAppendEdit(b, b.CreateVector(events));
  auto decoded = DecodeMessage(EditFrame(b, fbs::Edit_AppendEdit, edit.Union()));
  REQUIRE(decoded.ok());
  const auto& append = std::get<engine::AppendEdit>(std::get<EditRequest>(*decoded).edit);
  REQUIRE(append.bodies.size() == 1);
  // An AppendEdit holds bodies only: nothing of the envelope is left to use.
  CHECK(append.bodies[0] == forged.body);
}
