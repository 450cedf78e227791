// Edits as data (edits.h): each says which events are its own, however many
// writers append around it, and one that changes nothing says so.

#include "starlog/engine/edits.h"

#include <catch2/catch.hpp>
#include <thread>

#include "starlog/codec/event_codec.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using namespace starlog::engine;
using codec::CollectionType;
using testutil::RegistryFixture;

TEST_CASE("Concurrent edits each name the events they appended", "[edits]") {
  RegistryFixture f;
  constexpr int kThreads = 4;
  constexpr int kEach = 40;
  std::vector<std::vector<EditResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "run" + std::to_string(t) + "_" + std::to_string(i);
        // Two events an edit: a RUN and a chain that holds it.
        Edit edit =
            ChainEditEdit{"chain" + std::to_string(t), ChainEdit::kPrepend, {name}, "", false};
        auto run = ApplyEdit(f.store(), EnsureCollectionEdit{name, CollectionType::kRun, {}},
                             "writer" + std::to_string(t));
        auto chain = ApplyEdit(f.store(), edit, "writer" + std::to_string(t));
        REQUIRE(run.ok());
        REQUIRE(chain.ok());
        results[t].push_back(*run);
        results[t].push_back(*chain);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (const EditResult& r : results[t]) {
      REQUIRE(r.appended());
      auto log = f.store().ReadLog(r.first, r.head.sequence - r.first + 1);
      REQUIRE(log.ok());
      for (const LogRecord& record : *log) {
        auto event = codec::DecodeEventFrame(record.frame);
        REQUIRE(event.ok());
        CHECK(event->actor == "writer" + std::to_string(t));
      }
    }
    // Every prepend was kept: the chain holds all of this writer's runs.
    auto chain = f.store().View().value().GetCollection("chain" + std::to_string(t));
    REQUIRE(chain.ok());
    REQUIRE(chain->has_value());
    CHECK((*chain)->children.size() == kEach);
  }
}

TEST_CASE("An edit that changes nothing appends nothing and says so", "[edits]") {
  RegistryFixture f;
  auto first = ApplyEdit(f.store(), EnsureCollectionEdit{"r", CollectionType::kRun, "doc"}, "me");
  REQUIRE(first.ok());
  CHECK(first->appended());
  auto again = ApplyEdit(f.store(), EnsureCollectionEdit{"r", CollectionType::kRun, {}}, "me");
  REQUIRE(again.ok());
  CHECK_FALSE(again->appended());
  CHECK(again->head.sequence == first->head.sequence);
  CHECK(EditName(Edit{RemoveRunsEdit{}}) == "remove-runs");
}

TEST_CASE("A refused edit appends nothing", "[edits]") {
  RegistryFixture f;
  REQUIRE(ApplyEdit(f.store(), EnsureCollectionEdit{"r", CollectionType::kRun, {}}, "me").ok());
  const Head before = f.store().head();
  // The chain would be created, then refused: neither is written.
  auto refused =
      ApplyEdit(f.store(), ChainEditEdit{"c", ChainEdit::kRedefine, {"nope"}, "", false}, "me");
  REQUIRE_FALSE(refused.ok());
  CHECK(f.store().head().sequence == before.sequence);
  CHECK_FALSE(f.store().View().value().GetCollection("c").value().has_value());
}

TEST_CASE("remove-collections removes chains before the children it removes with them", "[edits]") {
  RegistryFixture f;
  auto& store = f.store();
  REQUIRE(ApplyEdit(store, EnsureCollectionEdit{"run", CollectionType::kRun, {}}, "me").ok());
  REQUIRE(ApplyEdit(store, EnsureCollectionEdit{"t/tag", CollectionType::kTagged, {}}, "me").ok());
  // t/outer lists t/inner, which lists t/tag and run; "keep" lists t/tag.
  REQUIRE(ApplyEdit(store,
                    ChainEditEdit{"t/inner", ChainEdit::kRedefine, {"t/tag", "run"}, "", false},
                    "me")
              .ok());
  REQUIRE(
      ApplyEdit(store, ChainEditEdit{"t/outer", ChainEdit::kRedefine, {"t/inner"}, "", false}, "me")
          .ok());
  REQUIRE(ApplyEdit(store, ChainEditEdit{"keep", ChainEdit::kRedefine, {"t/tag", "run"}, "", false},
                    "me")
              .ok());
  const uint64_t before = store.head().sequence;

  // "keep" stays and lists t/tag: refused, naming both, and nothing changes.
  auto refused = ApplyEdit(store, RemoveCollectionsEdit{{"t/*"}, false}, "me");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsConflict());
  CHECK(refused.status().message().find("'t/tag' is in chain 'keep'") != std::string::npos);
  CHECK(store.head().sequence == before);

  // A RUN named exactly is not this command's.
  auto run = ApplyEdit(store, RemoveCollectionsEdit{{"run"}, false}, "me");
  CHECK(run.status().code() == Status::Code::kInvalidArgument);

  auto removed = ApplyEdit(store, RemoveCollectionsEdit{{"t/*"}, true}, "me");
  REQUIRE(removed.ok());
  // The outer chain before the inner, the inner before the tag it lists.
  CHECK(removed->names == std::vector<std::string>{"t/outer", "t/inner", "t/tag"});
  auto view = store.View().value();
  auto keep = view.GetCollection("keep").value();
  REQUIRE(keep.has_value());
  CHECK(keep->children == std::vector<std::string>{"run"});
  CHECK_FALSE(view.GetCollection("t/tag").value().has_value());
  CHECK(view.GetCollection("run").value().has_value());  // A glob leaves RUNs.
  CHECK(view.ParentChains("run").value() == std::vector<std::string>{"keep"});

  auto none = ApplyEdit(store, RemoveCollectionsEdit{{"nothing*"}, false}, "me");
  CHECK(none.status().code() == Status::Code::kNotFound);
}
