// A replica's pipelined catch-up (replication/apply_pipeline.h): long runs of
// small messages, a few in flight, and faults in the middle of them.

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "replication/handshake.h"
#include "starlog/codec/chain.h"
#include "starlog/replication/channel.h"
#include "tests/replication/replication_fixture.h"

using namespace starlog;
using namespace starlog::replication;
using namespace starlog::testutil;

namespace {

constexpr uint64_t kEvents = 600;

// A primary whose log is kEvents long: collections and datasets in them.
void FillLog(RegistryFixture& primary) {
  for (int run = 0; primary.head() < kEvents; ++run) {
    const std::string name = "run" + std::to_string(run);
    primary.CreateCollection(name, codec::CollectionType::kRun);
    for (int d = 0; d < 8 && primary.head() < kEvents; ++d)
      primary.AddRaw(name, 100 + d / 4, d % 4);
  }
}

WirePoint PointOf(const engine::Head& h) {
  return WirePoint{h.sequence, h.commit_time_ns, h.chain_hash, h.state_digest};
}

enum class Fault { kFrameByte, kChainHash, kOtherFrame, kSkipped, kStateDigest };

// A primary that answers start and each ack with the next 7 events of
// "store"'s log (after those sent, as the protocol says), damaging event
// "bad" as "fault" says. Records the highest ack.
class DamagingPrimary {
 public:
  DamagingPrimary(engine::EventStore& store, uint64_t bad, Fault fault)
      : store_(store), bad_(bad), fault_(fault) {
    listener_ = Listener::Bind("127.0.0.1:0", {}).value();
    thread_ = std::thread([this] { Serve(); });
  }
  ~DamagingPrimary() { thread_.join(); }
  std::string address() const { return listener_->address(); }
  uint64_t max_ack() const { return max_ack_.load(); }

 private:
  void Serve() {
    auto peer = listener_->Accept(std::chrono::milliseconds(10'000));
    if (!peer.ok()) return;
    Channel& channel = **peer;
    if (!AcceptPeer(channel, store_.repository_id(), kKey).ok()) return;
    const engine::Head head = store_.head();
    uint64_t sent = 0;
    while (true) {
      auto message = channel.Receive();
      if (!message.ok()) return;
      if (const auto* start = std::get_if<Start>(&*message)) {
        sent = start->head;
      } else if (const auto* ack = std::get_if<Ack>(&*message)) {
        max_ack_.store(std::max(max_ack_.load(), ack->head));
      } else {
        return;
      }
      if (sent >= head.sequence) {
        if (!channel.Send(CaughtUp{PointOf(head)}).ok()) return;
        continue;
      }
      Events events;
      events.primary_head = PointOf(head);
      std::vector<engine::LogRecord> records = store_.ReadLog(sent + 1, 7).value();
      for (engine::LogRecord& r : records) {
        WireEvent e{WirePoint{r.sequence, r.commit_time_ns, r.chain_hash, r.state_digest},
                    std::move(r.frame)};
        if (r.sequence == bad_ && fault_ == Fault::kSkipped) continue;
        if (r.sequence == bad_) Damage(&e);
        events.events.push_back(std::move(e));
      }
      sent = events.events.back().point.sequence;
      if (!channel.Send(events).ok()) return;
    }
  }

  void Damage(WireEvent* e) const {
    switch (fault_) {
      case Fault::kFrameByte:
        e->frame[e->frame.size() / 2] ^= 0x10;
        break;
      case Fault::kChainHash:
        e->point.chain_hash = codec::Hash128{7, 7};
        break;
      case Fault::kOtherFrame:  // A frame of its own, with the next event's point.
        e->frame = store_.ReadLog(bad_ + 1, 1).value().at(0).frame;
        break;
      case Fault::kSkipped:
        break;
      case Fault::kStateDigest:  // Passes the checks on receipt: the engine finds it.
        e->point.state_digest = codec::Hash128{9, 9};
        break;
    }
  }

  engine::EventStore& store_;
  const uint64_t bad_;
  const Fault fault_;
  std::unique_ptr<Listener> listener_;
  std::atomic<uint64_t> max_ack_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("A pipelined catch-up of many small messages equals its primary at every event",
          "[replication]") {
  RegistryFixture primary;
  FillLog(primary);
  replication::ServerOptions small;
  small.batch_events = 5;  // 120 messages, several in flight at once.
  ServerThread server(primary.root(), small);
  TempDir replica;
  auto options = ReplicaOptions(replica.path(), server.address());
  options.copy_files = false;
  std::vector<uint64_t> heads;
  options.progress = [&](const ReplicationStatus& s) { heads.push_back(s.head); };
  REQUIRE(Replicate(options).ok());
  RequireSameLog(primary.store(), replica.path());
  CHECK(std::is_sorted(heads.begin(), heads.end()));
  CHECK(server.Logged("replica left (at event " + std::to_string(primary.head()) + ")"));
}

TEST_CASE("A fault in the middle of a pipelined catch-up leaves the replica at the last good event",
          "[replication][faults]") {
  RegistryFixture primary;
  FillLog(primary);
  const uint64_t bad = 303;  // In the middle of a message of 7: 297..303 is the 43rd.
  const auto [fault, what] = GENERATE(table<Fault, std::string>({
      {Fault::kFrameByte, "checksum"},
      {Fault::kChainHash, "chain hash"},
      {Fault::kOtherFrame, "chain hash"},
      {Fault::kSkipped, "sent event " + std::to_string(bad + 1) + " in its place"},
      {Fault::kStateDigest, "state digest"},
  }));
  INFO("fault: " << what);
  TempDir replica;
  {
    DamagingPrimary damaging(primary.store(), bad, fault);
    auto options = ReplicaOptions(replica.path(), damaging.address());
    options.copy_files = false;
    const Status s = Replicate(options);
    INFO(s.ToString());
    REQUIRE(s.IsCorruption());
    CHECK(s.ToString().find(what) != std::string::npos);
    // Nothing past the last good event was acknowledged.
    CHECK(damaging.max_ack() < bad);
  }
  {
    // Every good event before the fault is there, durable and as the
    // primary's; nothing after it.
    auto store = OpenReadOnly(replica.path());
    REQUIRE(store->head().sequence == bad - 1);
    for (uint64_t s = 1; s < bad; ++s) {
      INFO("event " << s);
      REQUIRE(store->HeadAt(s).value().chain_hash == primary.store().HeadAt(s).value().chain_hash);
    }
    REQUIRE(store->VerifyLog().ok());
    REQUIRE(store->ComputeStateDigest().value().total ==
            primary.store().HeadAt(bad - 1).value().state_digest);
  }
  // From there, a sound primary brings it to the end, equal at every event.
  ServerThread server(primary.root());
  auto options = ReplicaOptions(replica.path(), server.address());
  options.copy_files = false;
  REQUIRE(Replicate(options).ok());
  RequireSameLog(primary.store(), replica.path());
}

TEST_CASE("Acks ask for the events after those sent, and one past them is refused",
          "[replication]") {
  RegistryFixture primary;
  FillLog(primary);
  replication::ServerOptions small;
  small.batch_events = 10;
  ServerThread server(primary.root(), small);
  auto channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(10'000)).value();
  REQUIRE(ConnectToPrimary(*channel, codec::Uuid(), kRoleReplica, kKey).ok());
  REQUIRE(channel->Send(Start{0, codec::kGenesisChainHash}).ok());
  // Three asks before anything is acknowledged: three messages in a row,
  // none repeating another's events.
  REQUIRE(channel->Send(Ack{0}).ok());
  REQUIRE(channel->Send(Ack{0}).ok());
  uint64_t next = 1;
  for (int i = 0; i < 3; ++i) {
    auto message = channel->Receive();
    REQUIRE(message.ok());
    const auto& events = std::get<Events>(*message).events;
    REQUIRE(events.size() == 10);
    CHECK(events.front().point.sequence == next);
    next = events.back().point.sequence + 1;
  }
  REQUIRE(channel->Send(Ack{next}).ok());  // Event 31 was never sent.
  auto refusal = channel->Receive();
  REQUIRE(refusal.ok());
  REQUIRE(std::holds_alternative<Error>(*refusal));
  CHECK(server.Logged("ack out of order"));
}
