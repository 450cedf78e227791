#include "starlog/engine/event_store.h"

#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "engine/store/family_options.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/event_codec.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/raw_registry.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using starlog::testutil::TempDir;

namespace {

std::unique_ptr<EventStore> CreateRepo(const std::string& root) {
  CreateOptions options;
  options.actor = "tester";
  options.store.sync = false;
  auto store = EventStore::Create(root, options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::unique_ptr<EventStore> OpenRepo(const std::string& root, bool read_only = false) {
  StoreOptions options;
  options.sync = false;
  options.read_only = read_only;
  auto store = EventStore::Open(root, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

codec::CreateCollection Run(const std::string& name) {
  return codec::CreateCollection{name, codec::CollectionType::kRun, ""};
}

// A closed repository at "root": event 1, then the RUN collections r0, r1, ...
void CreateRepoWithRuns(const std::string& root, int runs) {
  auto store = CreateRepo(root);
  for (int i = 0; i < runs; ++i) REQUIRE(store->Append(Run("r" + std::to_string(i)), "a").ok());
}

// Opens the registry's RocksDB directly and lets "fn" damage its log.
void WithRawDb(const std::string& root,
               const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* log)>& fn) {
  testutil::WithRawRegistry(root, [&](rocksdb::DB* db, testutil::RawFamilies& cf) {
    fn(db, testutil::FamilyHandle(cf, Family::kLog));
  });
}

}  // namespace

TEST_CASE("A new repository holds event 1 with its id and format", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  CHECK(store->head().sequence == 1);
  CHECK_FALSE(store->repository_id().IsNil());
  auto records = store->ReadLog(1, 10);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  auto event = codec::DecodeEventFrame((*records)[0].frame);
  REQUIRE(event.ok());
  const auto& init = std::get<codec::InitRepository>(event->body);
  CHECK(init.repository_id == store->repository_id());
  CHECK(init.format_version == kFormatVersion);
  CHECK(event->actor == "tester");
  CHECK(event->sequence == 1);
}

TEST_CASE("Create refuses a folder that already holds a repository", "[engine][store]") {
  TempDir dir;
  { auto store = CreateRepo(dir.path()); }
  auto again = EventStore::Create(dir.path(), CreateOptions());
  REQUIRE(again.status().IsInvalidArgument());
  CHECK(again.status().message().find("already exists") != std::string_view::npos);
}

TEST_CASE("Open of a folder without a repository is NotFound", "[engine][store]") {
  TempDir dir;
  auto store = EventStore::Open(dir.Sub("nothing-here"), StoreOptions());
  REQUIRE(store.status().IsNotFound());
}

TEST_CASE("Appended events survive close and reopen, with the same head", "[engine][store]") {
  TempDir dir;
  Head before;
  codec::Uuid id;
  {
    auto store = CreateRepo(dir.path());
    id = store->repository_id();
    for (int i = 0; i < 50; ++i) {
      REQUIRE(store->Append(Run("run/" + std::to_string(i)), "alice").ok());
    }
    before = store->head();
  }
  CHECK(before.sequence == 51);
  auto store = OpenRepo(dir.path());
  CHECK(store->repository_id() == id);
  CHECK(store->head().sequence == before.sequence);
  CHECK(store->head().chain_hash == before.chain_hash);
  CHECK(store->head().state_digest == before.state_digest);
  auto records = store->ReadLog(1, 1000);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 51);
  codec::Hash128 h = codec::kGenesisChainHash;
  for (size_t i = 0; i < records->size(); ++i) {
    const LogRecord& r = (*records)[i];
    CHECK(r.sequence == i + 1);
    h = codec::NextChainHash(h, r.frame);
    CHECK(r.chain_hash == h);
    auto event = codec::DecodeEventFrame(r.frame);
    REQUIRE(event.ok());
    CHECK(event->sequence == r.sequence);
    if (i > 0) {
      CHECK(std::get<codec::CreateCollection>(event->body).name == "run/" + std::to_string(i - 1));
      CHECK(event->actor == "alice");
    }
  }
  CHECK(h == before.chain_hash);
  REQUIRE(store->VerifyLog().ok());
}

TEST_CASE("ReadLog starts anywhere and verifies the chain from there", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  for (int i = 0; i < 20; ++i) REQUIRE(store->Append(Run("r" + std::to_string(i)), "a").ok());
  auto middle = store->ReadLog(10, 5);
  REQUIRE(middle.ok());
  REQUIRE(middle->size() == 5);
  CHECK(middle->front().sequence == 10);
  CHECK(middle->back().sequence == 14);
  CHECK(middle->back().chain_hash == *store->ChainHashAt(14));
  auto past_head = store->ReadLog(22, 5);
  REQUIRE(past_head.ok());
  CHECK(past_head->empty());
  CHECK(store->ChainHashAt(22).status().IsNotFound());
}

TEST_CASE("A rejected event changes nothing", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  REQUIRE(store->Append(Run("HSC/raw/all"), "a").ok());
  const Head before = store->head();
  auto bad_name = store->Append(Run("bad name"), "a");
  CHECK(bad_name.status().IsInvalidArgument());
  auto other_type = store->Append(
      codec::CreateCollection{"HSC/raw/all", codec::CollectionType::kTagged, ""}, "a");
  CHECK(other_type.status().IsConflict());
  auto second_init = store->Append(codec::InitRepository{}, "a");
  CHECK(second_init.status().IsInvalidArgument());
  CHECK(store->head().sequence == before.sequence);
  CHECK(store->head().chain_hash == before.chain_hash);
  CHECK(store->head().state_digest == before.state_digest);
  CHECK(store->ReadLog(1, 100)->size() == 2);
}

TEST_CASE("An event that would change nothing is not appended", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  REQUIRE(store->Append(Run("HSC/raw/all"), "a").ok());
  auto again = store->Append(Run("HSC/raw/all"), "a");
  REQUIRE(again.ok());
  CHECK(again->sequence == 2);
}

TEST_CASE("The state digest follows the live entries, not the history", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  const codec::Hash128 empty = store->head().state_digest;
  REQUIRE(store->Append(Run("a"), "x").ok());
  const codec::Hash128 with_a = store->head().state_digest;
  CHECK(with_a != empty);
  REQUIRE(store->Append(codec::RemoveCollection{"a", false}, "x").ok());
  CHECK(store->head().state_digest == empty);
  REQUIRE(store->Append(Run("a"), "x").ok());
  CHECK(store->head().state_digest == with_a);
  // But the chain hash always moves on.
  CHECK(store->head().sequence == 4);
}

TEST_CASE("A read-only store refuses appends and reads the log", "[engine][store]") {
  TempDir dir;
  { auto store = CreateRepo(dir.path()); }
  auto store = OpenRepo(dir.path(), /*read_only=*/true);
  auto r = store->Append(Run("x"), "a");
  REQUIRE(r.status().IsPermissionDenied());
  CHECK(store->ReadLog(1, 10)->size() == 1);
}

TEST_CASE("SequenceAtTime finds the last event committed at or before a time", "[engine][store]") {
  TempDir dir;
  auto store = CreateRepo(dir.path());
  REQUIRE(store->Append(Run("a"), "x").ok());
  const int64_t after_two = store->head().commit_time_ns;
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(store->Append(Run("b"), "x").ok());
  CHECK(*store->SequenceAtTime(after_two) == 2);
  CHECK(*store->SequenceAtTime(store->head().commit_time_ns) == 3);
  CHECK(*store->SequenceAtTime(0) == 0);
}

TEST_CASE("A second writer gets a clear error, never corruption", "[engine][store]") {
  TempDir dir;
  { auto store = CreateRepo(dir.path()); }
  SECTION("in the same process") {
    auto first = OpenRepo(dir.path());
    auto second = EventStore::Open(dir.path(), StoreOptions());
    REQUIRE(second.status().IsUnavailable());
    CHECK(second.status().message().find("open for writing") != std::string_view::npos);
  }
  SECTION("in another process") {
    testutil::ChildProcess writer({STARLOG_CRASH_WRITER, dir.path()});
    REQUIRE(writer.ReadLine(std::chrono::seconds(20)) == std::optional<std::string>("ready"));
    auto second = EventStore::Open(dir.path(), StoreOptions());
    REQUIRE(second.status().IsUnavailable());
    // Readers are not locked out.
    auto reader = OpenRepo(dir.path(), /*read_only=*/true);
    CHECK(reader->head().sequence >= 1);
    writer.Kill(SIGKILL);
    writer.Wait();
    auto after = OpenRepo(dir.path());
    CHECK(after->VerifyLog().ok());
  }
}

TEST_CASE("A flipped byte in a stored frame is reported with its sequence", "[engine][store]") {
  TempDir dir;
  CreateRepoWithRuns(dir.path(), 5);
  WithRawDb(dir.path(), [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string frame;
    REQUIRE(db->Get(rocksdb::ReadOptions(), log, codec::SequenceKey(3), &frame).ok());
    frame[frame.size() / 2] ^= 0x10;
    REQUIRE(db->Put(rocksdb::WriteOptions(), log, codec::SequenceKey(3), frame).ok());
  });
  auto store = OpenRepo(dir.path());
  auto records = store->ReadLog(1, 100);
  REQUIRE(records.status().IsCorruption());
  CHECK(records.status().message().find("event 3") != std::string_view::npos);
  CHECK(store->VerifyLog().IsCorruption());
  // Events before the damage still read.
  CHECK(store->ReadLog(1, 2)->size() == 2);
}

TEST_CASE("A valid frame in the wrong place fails the chain", "[engine][store]") {
  TempDir dir;
  CreateRepoWithRuns(dir.path(), 5);
  WithRawDb(dir.path(), [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string frame4;
    REQUIRE(db->Get(rocksdb::ReadOptions(), log, codec::SequenceKey(4), &frame4).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), log, codec::SequenceKey(3), frame4).ok());
  });
  auto store = OpenRepo(dir.path());
  auto records = store->ReadLog(1, 100);
  REQUIRE(records.status().IsCorruption());
  CHECK(records.status().message().find("event 3: chain hash") != std::string_view::npos);
}

TEST_CASE("A missing event is reported as a gap in the log", "[engine][store]") {
  TempDir dir;
  CreateRepoWithRuns(dir.path(), 5);
  WithRawDb(dir.path(), [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), log, codec::SequenceKey(4)).ok());
  });
  auto store = OpenRepo(dir.path());
  auto records = store->ReadLog(1, 100);
  REQUIRE(records.status().IsCorruption());
  CHECK(records.status().message().find("event 4") != std::string_view::npos);
}

TEST_CASE("Only a writer's memtables carry a filter, a reader zeroes no memory for one",
          "[store]") {
  using starlog::engine::Family;
  using starlog::engine::FamilyOptions;
  using starlog::engine::OpenedBy;
  CHECK(FamilyOptions(Family::kDatasets, OpenedBy::kWriter).memtable_prefix_bloom_size_ratio > 0);
  CHECK(FamilyOptions(Family::kDatasets, OpenedBy::kReader).memtable_prefix_bloom_size_ratio == 0);
  // Table files keep theirs either way: the same table factory.
  CHECK(std::string(FamilyOptions(Family::kDatasets, OpenedBy::kReader).table_factory->Name()) ==
        FamilyOptions(Family::kDatasets, OpenedBy::kWriter).table_factory->Name());
  CHECK(FamilyOptions(Family::kDatasets, OpenedBy::kReader).prefix_extractor != nullptr);
  // Of the writer's, only those of families with a key per dataset or record.
  for (const Family f : {Family::kDatasetLookup, Family::kDatasetIds, Family::kArtifacts,
                         Family::kCalibrations, Family::kDimensionRecords, Family::kTags}) {
    CHECK(FamilyOptions(f, OpenedBy::kWriter).memtable_prefix_bloom_size_ratio > 0);
  }
  for (const Family f : {Family::kCollections, Family::kChains, Family::kDatasetTypes,
                         Family::kSettings, Family::kPolicy, Family::kSnapshots}) {
    CHECK(FamilyOptions(f, OpenedBy::kWriter).memtable_prefix_bloom_size_ratio == 0);
    CHECK(FamilyOptions(f, OpenedBy::kWriter).prefix_extractor != nullptr);
  }
}
