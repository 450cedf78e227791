// A child process appends in a loop and is killed with SIGKILL at random
// moments. Each time, the repository must reopen with a dense log, every
// frame verifying, the head equal to the last frame, and the indexes agreeing
// with the log.

#include <signal.h>

#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "engine/store/column_families.h"
#include "starlog/engine/event_store.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;

TEST_CASE("SIGKILL at random moments never leaves the repository inconsistent", "[engine][crash]") {
  testutil::TempDir dir;
  {
    engine::CreateOptions options;
    options.store.sync = false;
    REQUIRE(engine::EventStore::Create(dir.path(), options).ok());
  }
  std::mt19937 rng(Catch::rngSeed());
  std::uniform_int_distribution<int> delay_us(0, 40'000);
  uint64_t previous_head = 1;
  constexpr int kKills = 25;
  for (int round = 0; round < kKills; ++round) {
    {
      testutil::ChildProcess writer({STARLOG_CRASH_WRITER, dir.path()});
      REQUIRE(writer.ReadLine(std::chrono::seconds(20)) == std::optional<std::string>("ready"));
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
      writer.Kill(SIGKILL);
      const int status = writer.Wait();
      REQUIRE(WIFSIGNALED(status));
    }
    auto store = engine::EventStore::Open(dir.path(), engine::StoreOptions());
    INFO("round " << round << ": " << store.status().ToString());
    REQUIRE(store.ok());
    const engine::Head head = (*store)->head();
    INFO("head " << head.sequence);
    CHECK(head.sequence >= previous_head);
    previous_head = head.sequence;
    // Dense, every frame and the chain verifying, head == last frame.
    REQUIRE((*store)->VerifyLog().ok());
    auto last = (*store)->ReadLog(head.sequence, 2);
    REQUIRE(last.ok());
    REQUIRE(last->size() == 1);
    CHECK(last->front().chain_hash == head.chain_hash);
    CHECK(last->front().state_digest == head.state_digest);
    // Every event after the first created one collection: the index agrees.
    auto info = (*store)->Info();
    REQUIRE(info.ok());
    for (const auto& f : info->families) {
      if (f.name == engine::FamilyName(engine::Family::kCollections))
        CHECK(f.live_entries == head.sequence - 1);
    }
  }
  CHECK(previous_head > static_cast<uint64_t>(kKills));  // The writer made progress.
}
