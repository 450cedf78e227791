// Group commit: writers in many threads share fsyncs, each is answered only
// once its events are durable (the head readers see has reached them).

#include <atomic>
#include <catch2/catch.hpp>
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
