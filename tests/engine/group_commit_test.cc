// Group commit: writers in many threads share fsyncs, each is answered only
// once its events are durable (the head readers see has reached them).

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "engine/store/event_store_impl.h"
#include "starlog/codec/event_codec.h"
#include "starlog/engine/edits.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using codec::CollectionType;

namespace {

std::unique_ptr<EventStore> Synced(const testutil::TempDir& dir) {
  CreateOptions options;
  options.store.sync = true;
  options.actor = "tester";
  return std::move(EventStore::Create(dir.path(), options)).value();
}

}  // namespace

TEST_CASE("Concurrent synced appends share fsyncs and all land", "[group_commit]") {
  testutil::TempDir dir;
  auto store = Synced(dir);
  auto* impl = static_cast<EventStoreImpl*>(store.get());
  const uint64_t syncs_before = impl->TEST_syncs();
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "r" + std::to_string(t) + "_" + std::to_string(i);
        auto head = store->Append(codec::CreateCollection{name, CollectionType::kRun, ""}, "w");
        // Answered only once durable: the head readers see has reached it.
        if (!head.ok() || store->head().sequence < head->sequence) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(store->head().sequence == 1 + kThreads * kEach);
  const uint64_t syncs = impl->TEST_syncs() - syncs_before;
  INFO("syncs: " << syncs << " for " << kThreads * kEach << " appends");
  CHECK(syncs < static_cast<uint64_t>(kThreads * kEach));
  REQUIRE(store->VerifyLog().ok());
  // The log holds every one, and reopens with them.
  store.reset();
  StoreOptions reopen;
  auto again = EventStore::Open(dir.path(), reopen);
  REQUIRE(again.ok());
  CHECK((*again)->head().sequence == 1 + kThreads * kEach);
}

TEST_CASE("Chain prepends from many threads lose none", "[group_commit]") {
  testutil::TempDir dir;
  auto store = Synced(dir);
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string run = "run" + std::to_string(t);
      if (!ApplyEdit(*store, EnsureCollectionEdit{run, CollectionType::kRun, {}}, "w").ok() ||
          !ApplyEdit(*store, ChainEditEdit{"shared", ChainEdit::kPrepend, {run}, "", false}, "w")
               .ok()) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  auto chain = store->View().value().GetCollection("shared").value();
  REQUIRE(chain.has_value());
  CHECK(chain->children.size() == kThreads);
}

TEST_CASE("Readers never see events staged but not yet durable", "[group_commit]") {
  testutil::TempDir dir;
  auto store = Synced(dir);
  auto* impl = static_cast<EventStoreImpl*>(store.get());
  const uint64_t before = store->head().sequence;
  std::promise<void> reached;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  impl->TEST_set_before_sync([&] {
    reached.set_value();
    released.wait();
    return Status::OK();
  });
  std::thread writer([&] {
    auto head = store->Append(codec::CreateCollection{"held", CollectionType::kRun, ""}, "w");
    CHECK(head.ok());
  });
  reached.get_future().wait();
  // Written to the log, not yet synced: the head, a new view and a lookup
  // all stand before it.
  CHECK(store->head().sequence == before);
  auto view = store->View();
  REQUIRE(view.ok());
  CHECK(view->sequence() == before);
  auto held = view->GetCollection("held");
  REQUIRE(held.ok());
  CHECK_FALSE(held->has_value());
  release.set_value();
  writer.join();
  CHECK(store->head().sequence == before + 1);
  CHECK(store->View().value().GetCollection("held").value().has_value());
}

TEST_CASE("After a failed sync the store takes no more events and readers never saw them",
          "[group_commit]") {
  testutil::TempDir dir;
  auto store = Synced(dir);
  auto* impl = static_cast<EventStoreImpl*>(store.get());
  const uint64_t before = store->head().sequence;
  impl->TEST_set_before_sync([] { return Status::IOError("No space left on device"); });
  auto failed = store->Append(codec::CreateCollection{"lost", CollectionType::kRun, ""}, "w");
  REQUIRE(failed.status().IsIOError());
  CHECK(store->head().sequence == before);
  CHECK_FALSE(store->View().value().GetCollection("lost").value().has_value());
  // Every later write is refused, the sync having healed or not.
  impl->TEST_set_before_sync(nullptr);
  auto refused = store->Append(codec::CreateCollection{"next", CollectionType::kRun, ""}, "w");
  REQUIRE(refused.status().IsIOError());
  CHECK(std::string(refused.status().message()).find("failed sync") != std::string::npos);
  CHECK(store->head().sequence == before);
  // Opened again, the store holds the unacknowledged event or not, whole, and
  // takes writes again.
  store.reset();
  auto again = EventStore::Open(dir.path(), StoreOptions());
  REQUIRE(again.ok());
  const uint64_t reopened = (*again)->head().sequence;
  CHECK((reopened == before || reopened == before + 1));
  REQUIRE((*again)->VerifyLog().ok());
  CHECK((*again)->Append(codec::CreateCollection{"next", CollectionType::kRun, ""}, "w").ok());
}
