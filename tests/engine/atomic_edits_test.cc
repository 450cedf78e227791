// Commands that append several events or read before they write: all or
// nothing, each event still its own, and no concurrent change lost.

#include "starlog/engine/atomic_edits.h"

#include <catch2/catch.hpp>
#include <thread>

#include "starlog/codec/event_codec.h"
#include "starlog/engine/policy.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using codec::CollectionType;
using testutil::RegistryFixture;

namespace {

void RequireUnchanged(const EventStore& store, const Head& before) {
  REQUIRE(store.head().sequence == before.sequence);
  REQUIRE(store.head().chain_hash == before.chain_hash);
  REQUIRE(store.head().state_digest == before.state_digest);
}

}  // namespace

TEST_CASE("AppendAll writes consecutive events, each with its own frame and head", "[atomic]") {
  RegistryFixture f;
  const Head before = f.store().head();
  std::vector<codec::EventBody> bodies = {
      codec::CreateCollection{"a", CollectionType::kRun, ""},
      codec::CreateCollection{"b", CollectionType::kRun, ""},
      codec::CreateCollection{"a", CollectionType::kRun, ""},  // No change.
      codec::CreateCollection{"c", CollectionType::kChained, ""},
      codec::SetChain{"c", {"b", "a"}},  // Sees a, b and c above.
  };
  auto head = f.store().AppendAll(std::move(bodies), "tester");
  REQUIRE(head.ok());
  CHECK(head->sequence == before.sequence + 4);
  auto log = f.store().ReadLog(before.sequence + 1, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 4);
  for (size_t i = 0; i < log->size(); ++i) {
    const LogRecord& r = (*log)[i];
    CHECK(r.sequence == before.sequence + 1 + i);
    auto event = codec::DecodeEventFrame(r.frame);
    REQUIRE(event.ok());
    CHECK(event->sequence == r.sequence);
    CHECK(f.store().HeadAt(r.sequence).value().chain_hash == r.chain_hash);
  }
  CHECK(f.store().VerifyLog().ok());
  // Each event's recorded digest is the state after it alone: as of the
  // second event there are "a" and "b" but no chain.
  CHECK(f.View(before.sequence + 2).GetCollection("b").value().has_value());
  CHECK_FALSE(f.View(before.sequence + 2).GetCollection("c").value().has_value());
  CHECK(f.View().GetCollection("c").value()->children == std::vector<std::string>{"b", "a"});
  // And replaying them one by one arrives at the same digests.
  const std::string root = f.root();
  f.Close();
  REQUIRE(EventStore::Rebuild(root, StoreOptions{}).ok());
}

TEST_CASE("AppendAll refused at its last event writes nothing", "[atomic]") {
  RegistryFixture f;
  const Head before = f.store().head();
  std::vector<codec::EventBody> bodies = {
      codec::CreateCollection{"x", CollectionType::kRun, ""},
      codec::CreateCollection{"y", CollectionType::kChained, ""},
      codec::SetChain{"y", {"x", "nope"}},
  };
  auto head = f.store().AppendAll(std::move(bodies), "tester");
  REQUIRE_FALSE(head.ok());
  CHECK(head.status().IsNotFound());
  CHECK(Says(head.status(), "event 3 of 3 (nothing was written)"));
  RequireUnchanged(f.store(), before);
  CHECK_FALSE(f.View().GetCollection("x").value().has_value());
  // The store is still usable, and its next event takes the next sequence.
  CHECK(f.Append(codec::CreateCollection{"x", CollectionType::kRun, ""}).sequence ==
        before.sequence + 1);
}

TEST_CASE("remove-runs refused on one run removes none of them", "[atomic]") {
  testutil::TempDir dir;
  auto store = CreatePoliced(dir.path());
  REQUIRE(
      store->Append(codec::CreateCollection{"u/alice/a", CollectionType::kRun, ""}, "alice").ok());
  REQUIRE(
      store->Append(codec::CreateCollection{"u/alice/b", CollectionType::kRun, ""}, "alice").ok());
  REQUIRE(store->Append(codec::CreateCollection{"u/bob/c", CollectionType::kRun, ""}, "bob").ok());
  const Head before = store->head();
  // alice may remove her own runs but not bob's: the third removal is refused.
  auto removed = RemoveRuns(*store, {"u/alice/*", "u/bob/c"}, "alice");
  REQUIRE_FALSE(removed.ok());
  CHECK(removed.status().IsPermissionDenied());
  RequireUnchanged(*store, before);
  CHECK(store->View()->GetCollection("u/alice/a").value().has_value());
  auto ok = RemoveRuns(*store, {"u/alice/*"}, "alice");
  REQUIRE(ok.ok());
  CHECK(ok->runs == std::vector<std::string>{"u/alice/a", "u/alice/b"});
  CHECK(ok->head.sequence == before.sequence + 2);
  CHECK(RemoveRuns(*store, {"nothing/*"}, "alice").status().IsNotFound());
  CHECK(RemoveRuns(*store, {"u/alice/none"}, "alice").status().IsNotFound());
  REQUIRE(store->Append(codec::CreateCollection{"u/alice/t", CollectionType::kTagged, ""}, "alice")
              .ok());
  auto tagged = RemoveRuns(*store, {"u/alice/t"}, "alice");
  CHECK(tagged.status().IsInvalidArgument());
  CHECK(Says(tagged.status(), "'u/alice/t' is a TAGGED collection, not a RUN"));
}

TEST_CASE("A new chain whose definition is refused is not created", "[atomic]") {
  testutil::TempDir dir;
  auto store = CreatePoliced(dir.path());
  REQUIRE(store->Append(codec::CreateCollection{"u/alice/run", CollectionType::kRun, ""}, "alice")
              .ok());
  REQUIRE(
      store->Append(codec::CreateCollection{"HSC/runs/x", CollectionType::kRun, ""}, "boss").ok());
  const Head before = store->head();
  // The creation is allowed, the definition is not (a shared chain into u/).
  auto refused = EditCollectionChain(*store, "HSC/defaults", ChainEdit::kRedefine,
                                     {"HSC/runs/x", "u/alice/run"}, "", "boss");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsPermissionDenied());
  RequireUnchanged(*store, before);
  CHECK_FALSE(store->View()->GetCollection("HSC/defaults").value().has_value());

  auto made = EditCollectionChain(*store, "HSC/defaults", ChainEdit::kRedefine, {"HSC/runs/x"},
                                  "the defaults", "boss");
  REQUIRE(made.ok());
  CHECK(made->created);
  CHECK(made->head.sequence == before.sequence + 2);
  auto chain = store->View()->GetCollection("HSC/defaults").value();
  REQUIRE(chain.has_value());
  CHECK(chain->children == std::vector<std::string>{"HSC/runs/x"});
  CHECK(EditCollectionChain(*store, "HSC/runs/x", ChainEdit::kPrepend, {"HSC/defaults"}, "", "boss")
            .status()
            .IsConflict());  // A RUN, not a chain.
}

TEST_CASE("Concurrent grants to one role all land", "[atomic]") {
  testutil::TempDir dir;
  auto store = CreatePoliced(dir.path());
  constexpr int kThreads = 4;
  constexpr int kGrantsEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kGrantsEach; ++i) {
        const std::string user = "user" + std::to_string(t) + "_" + std::to_string(i);
        if (!EditPolicyRole(*store, "operators", user, true, "boss").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  auto policy = store->View()->Policy().value();
  REQUIRE(policy.has_value());
  size_t granted = 0;
  for (const auto& role : policy->roles) {
    if (role.name == "operators") granted = role.users.size();
  }
  CHECK(granted == size_t{kThreads} * kGrantsEach);
  CHECK(EditPolicyRole(*store, "nope", "alice", false, "boss").status().IsNotFound());
  CHECK(EditPolicyRole(*store, "operators", "alice", true, "alice").status().IsPermissionDenied());
}
