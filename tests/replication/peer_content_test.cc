// `verify --content` against a peer: the pages a peer sends are checked
// against what was asked (replication/peer_content.h), a hostile peer after
// the handshake is refused, and a real server answers from one point.

#include "replication/peer_content.h"

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "replication/handshake.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/replication/verify.h"
#include "tests/replication/replication_fixture.h"

using namespace starlog;
using namespace starlog::replication;
using testutil::kKey;
using testutil::RegistryFixture;

namespace {

bool Says(const Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

// The S() encoding of a key's string component (registry_keys.h).
std::string S(const std::string& s) { return s + std::string("\0\x01", 2); }

VerifyOptions ContentOptions() {
  VerifyOptions options;
  options.content = true;
  options.key = kKey;
  options.timeout = std::chrono::milliseconds(5000);
  return options;
}

// A primary that does the handshake right, then answers content_open, and
// each later request with what "answer" makes of it (or nothing, to close).
Status AgainstHostilePeer(engine::EventStore& local,
                          const std::function<std::optional<Message>(const Message&)>& answer) {
  auto listener = Listener::Bind("127.0.0.1:0", {}).value();
  std::thread hostile([&] {
    auto channel = listener->Accept(std::chrono::milliseconds(10'000));
    if (!channel.ok() || !(*channel)->Handshake().ok()) return;
    if (!AcceptPeer(**channel, engine::RandomDatasetId(), kKey).ok()) return;
    while (true) {
      auto request = (*channel)->Receive();
      if (!request.ok()) return;
      std::optional<Message> reply;
      if (std::holds_alternative<ContentOpen>(*request)) {
        reply = ContentOpened{1, false, {}};
      } else {
        reply = answer(*request);
      }
      if (!reply || !(*channel)->Send(*reply).ok()) return;
    }
  });
  auto report = Verify(local, listener->address(), ContentOptions());
  hostile.join();
  return report.status();
}

}  // namespace

TEST_CASE("A content page is checked against its request", "[replication][content]") {
  const EntriesRequest ask{1, "p", "p1", 2, 100};
  const auto page = [](std::vector<WireEntry> entries, bool last = true) {
    return EntriesPage{last, std::move(entries)};
  };
  CHECK(CheckEntriesPage(ask, page({{"p2", "x"}, {"p3", "y"}}), "peer").ok());
  CHECK(CheckEntriesPage(ask, page({}), "peer").ok());
  // The first entry may be larger than the bytes asked for, alone.
  CHECK(CheckEntriesPage(ask, page({{"p2", std::string(500, 'x')}}, false), "peer").ok());

  const Status more = CheckEntriesPage(ask, page({{"p2", ""}, {"p3", ""}, {"p4", ""}}), "peer");
  CHECK(more.IsCorruption());
  CHECK(Says(more, "peer sent a page of 3 entries, more than the 2 asked for"));
  const Status big =
      CheckEntriesPage(ask, page({{"p2", ""}, {"p3", std::string(99, 'y')}}), "peer");
  CHECK(Says(big, "more than the 100 bytes asked for"));
  CHECK(Says(CheckEntriesPage(ask, page({{"p3", ""}, {"p2", ""}}), "peer"), "out of key order"));
  CHECK(Says(CheckEntriesPage(ask, page({{"p1", ""}}), "peer"), "out of key order"));
  CHECK(Says(CheckEntriesPage(ask, page({{"p2", ""}, {"p2", ""}}), "peer"), "out of key order"));
  CHECK(Says(CheckEntriesPage(ask, page({{"q2", ""}}), "peer"), "outside the range"));
  CHECK(Says(CheckEntriesPage(ask, page({}, false), "peer"), "empty page"));

  const PartsRequest parts{"", 2, 100};
  CHECK(CheckPartsPage(parts, PartsPage{true, {{"cdigest/a", 1, {}}, {"rdigest/a", 1, {}}}}, "peer")
            .ok());
  CHECK(Says(CheckPartsPage(parts, PartsPage{true, {{"other/a", 1, {}}}}, "peer"), "unknown kind"));
  CHECK(Says(CheckPartsPage(parts, PartsPage{true, {{"cdigest/a", -1, {}}}}, "peer"),
             "fewer than no entries"));
  CHECK(Says(
      CheckPartsPage(parts, PartsPage{true, {{"cdigest/b", 1, {}}, {"cdigest/a", 1, {}}}}, "peer"),
      "out of key order"));

  CHECK(
      Says(CheckContentOpened(ContentOpened{1, false, {{"tags", 0, {}}, {"tags", 0, {}}}}, "peer"),
           "listed twice"));
}

TEST_CASE("A hostile peer after the handshake is refused: oversized, out of order, off range",
          "[replication][content]") {
  RegistryFixture local;
  local.CreateCollection("run", codec::CollectionType::kRun);
  local.AddBias("run", 1);

  // Partitions of 600 KB keys, two to a page: more bytes than asked for.
  Status s = AgainstHostilePeer(local.store(), [](const Message& m) -> std::optional<Message> {
    if (!std::holds_alternative<PartsRequest>(m)) return std::nullopt;
    return PartsPage{true,
                     {{"cdigest/" + std::string(600'000, 'a'), 1, {}},
                      {"cdigest/" + std::string(600'000, 'b'), 1, {}}}};
  });
  CHECK(s.IsCorruption());
  CHECK(Says(s, "more than the 1048576 bytes asked for; refused"));

  // A page that asks for itself again, for ever: refused at once.
  s = AgainstHostilePeer(local.store(), [](const Message& m) -> std::optional<Message> {
    if (!std::holds_alternative<PartsRequest>(m)) return std::nullopt;
    return PartsPage{false, {}};
  });
  CHECK(Says(s, "an empty page of partitions that is not the last"));

  // The run's partition differs (one entry more), and its entries come
  // from another range.
  const std::string part = S("run") + S("bias");
  s = AgainstHostilePeer(local.store(), [&](const Message& m) -> std::optional<Message> {
    if (std::holds_alternative<PartsRequest>(m)) {
      return PartsPage{true, {{"cdigest/" + part, 2, {}}}};
    }
    const auto* ask = std::get_if<EntriesRequest>(&m);
    if (ask == nullptr || ask->prefix != part) return std::nullopt;
    return EntriesPage{true, {{S("elsewhere") + S("bias") + S("x"), std::string(16, 'u')}}};
  });
  CHECK(s.IsCorruption());
  CHECK(Says(s, "an entry outside the range asked for; refused"));

  // Or in no order.
  s = AgainstHostilePeer(local.store(), [&](const Message& m) -> std::optional<Message> {
    if (std::holds_alternative<PartsRequest>(m)) {
      return PartsPage{true, {{"cdigest/" + part, 2, {}}}};
    }
    if (!std::holds_alternative<EntriesRequest>(m)) return std::nullopt;
    return EntriesPage{true, {{part + "b", ""}, {part + "a", ""}}};
  });
  CHECK(Says(s, "entries out of key order; refused"));
}

TEST_CASE("Content requests are a verifier's, after content_open, within the page limits",
          "[replication][content]") {
  RegistryFixture primary;
  testutil::ServerThread server(primary.root());
  auto channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(ConnectToPrimary(*channel, {}, kRoleVerifier, kKey).ok());
  REQUIRE(channel->Send(PartsRequest{"", 10, 1000}).ok());
  auto refused = channel->Receive();
  REQUIRE(refused.ok());
  REQUIRE(std::holds_alternative<Error>(*refused));
  CHECK(std::get<Error>(*refused).message == "parts_request before content_open");

  channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(ConnectToPrimary(*channel, {}, kRoleVerifier, kKey).ok());
  REQUIRE(channel->Send(ContentOpen{}).ok());
  auto opened = channel->Receive();
  REQUIRE(opened.ok());
  REQUIRE(std::holds_alternative<ContentOpened>(*opened));
  CHECK(std::get<ContentOpened>(*opened).head == primary.head());
  REQUIRE(channel->Send(EntriesRequest{5, "", "", kMaxContentPageEntries + 1, 1000}).ok());
  refused = channel->Receive();
  REQUIRE(refused.ok());
  REQUIRE(std::holds_alternative<Error>(*refused));
  CHECK(std::get<Error>(*refused).message.find("a content page is 1 to 4096 entries") !=
        std::string::npos);

  channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(ConnectToPrimary(*channel, {}, kRoleReplica, kKey).ok());
  REQUIRE(channel->Send(ContentOpen{}).ok());
  refused = channel->Receive();
  REQUIRE(refused.ok());
  REQUIRE(std::holds_alternative<Error>(*refused));
  CHECK(std::get<Error>(*refused).message == "content_open sent twice or by a replica");
}
