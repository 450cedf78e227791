// A replica takes its primary's frames verbatim, verified, through the same
// apply path: it ends with the same chain hash, state digest and answers.

#include <catch2/catch.hpp>

#include "starlog/codec/chain.h"
#include "starlog/codec/event_codec.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using testutil::RegistryFixture;

namespace {

struct ReplicaFixture {
  ReplicaFixture() {
    primary.CreateCollection("calib", CollectionType::kCalibration);
    const codec::Uuid bias = primary.AddBias("HSC/raw/all", 1);
    primary.Append(codec::Certify{"calib", "bias", {{bias, {0, 100}}}});
    primary.AddRaw("HSC/raw/all", 100, 2);
    engine::StoreOptions options;
    options.sync = false;
    replica = std::move(
        engine::EventStore::CreateReplica(dir.path(), primary.store().repository_id(), options)
            .value());
    records = primary.store().ReadLog(1, 100000).value();
  }
  static engine::Head Expected(const engine::LogRecord& r) {
    return {r.sequence, r.chain_hash, r.state_digest, r.commit_time_ns};
  }
  Status Apply(size_t i) {
    return replica->ApplyReplicated(records[i].frame, Expected(records[i])).status();
  }

  RegistryFixture primary;
  testutil::TempDir dir;
  std::unique_ptr<engine::EventStore> replica;
  std::vector<engine::LogRecord> records;
};

}  // namespace

TEST_CASE("A replica applying its primary's log ends identical", "[engine][replica]") {
  ReplicaFixture f;
  CHECK(f.replica->is_replica());
  CHECK(f.replica->head().sequence == 0);
  for (size_t i = 0; i < f.records.size(); ++i) REQUIRE(f.Apply(i).ok());
  const engine::Head a = f.primary.store().head();
  const engine::Head b = f.replica->head();
  CHECK(b.sequence == a.sequence);
  CHECK(b.chain_hash == a.chain_hash);
  CHECK(b.state_digest == a.state_digest);
  CHECK(b.commit_time_ns == a.commit_time_ns);
  auto found = f.replica->View()->FindDataset("bias", RegistryFixture::BiasId(1), {"calib"},
                                              codec::Timespan{5, 6});
  REQUIRE(found.ok());
  CHECK(found->id ==
        f.primary.View()
            .FindDataset("bias", RegistryFixture::BiasId(1), {"calib"}, codec::Timespan{5, 6})
            ->id);
  CHECK(f.replica->VerifyLog().ok());
  CHECK(f.replica->ComputeStateDigest()->total == a.state_digest);
}

TEST_CASE("A replica reopens empty or part-way and goes on", "[engine][replica]") {
  ReplicaFixture f;
  const std::string root = f.dir.path();
  f.replica.reset();
  f.replica = std::move(engine::EventStore::Open(root, engine::StoreOptions()).value());
  CHECK(f.replica->head().sequence == 0);
  REQUIRE(f.Apply(0).ok());
  REQUIRE(f.Apply(1).ok());
  f.replica.reset();
  f.replica = std::move(engine::EventStore::Open(root, engine::StoreOptions()).value());
  CHECK(f.replica->head().sequence == 2);
  for (size_t i = 2; i < f.records.size(); ++i) REQUIRE(f.Apply(i).ok());
  CHECK(f.replica->head().chain_hash == f.primary.store().head().chain_hash);
}

TEST_CASE("A replica refuses local writes, and a primary replicated ones", "[engine][replica]") {
  ReplicaFixture f;
  REQUIRE(f.Apply(0).ok());
  auto write = f.replica->Append(codec::CreateCollection{"x", CollectionType::kRun, ""}, "me");
  REQUIRE(write.status().IsPermissionDenied());
  CHECK(Says(write.status(), "is a replica"));
  auto into_primary =
      f.primary.store().ApplyReplicated(f.records[1].frame, ReplicaFixture::Expected(f.records[1]));
  CHECK(into_primary.status().IsPermissionDenied());
}

TEST_CASE("Damaged, misplaced or foreign frames are refused and change nothing",
          "[engine][replica]") {
  ReplicaFixture f;
  REQUIRE(f.Apply(0).ok());
  const engine::Head before = f.replica->head();

  std::string flipped = f.records[1].frame;
  flipped[flipped.size() / 2] ^= 0x04;
  CHECK(f.replica->ApplyReplicated(flipped, ReplicaFixture::Expected(f.records[1]))
            .status()
            .IsCorruption());

  auto skipped = f.Apply(2);  // Event 2 is missing.
  CHECK(skipped.IsCorruption());
  CHECK(Says(skipped, "the replica's head is 1"));

  engine::Head wrong = ReplicaFixture::Expected(f.records[1]);
  wrong.chain_hash.low ^= 1;
  auto chain = f.replica->ApplyReplicated(f.records[1].frame, wrong);
  CHECK(Says(chain.status(), "differs from the primary's"));

  wrong = ReplicaFixture::Expected(f.records[1]);
  wrong.state_digest.high ^= 1;
  auto digest = f.replica->ApplyReplicated(f.records[1].frame, wrong);
  CHECK(Says(digest.status(), "state digest"));

  CHECK(f.replica->head().sequence == before.sequence);
  CHECK(f.replica->head().chain_hash == before.chain_hash);
  REQUIRE(f.Apply(1).ok());

  // Event 1 of another repository.
  testutil::TempDir other_dir;
  auto other = engine::EventStore::CreateReplica(
      other_dir.path(), codec::Uuid::Parse("00000000-0000-4000-8000-000000000001").value(),
      engine::StoreOptions());
  REQUIRE(other.ok());
  auto foreign =
      (*other)->ApplyReplicated(f.records[0].frame, ReplicaFixture::Expected(f.records[0]));
  CHECK(Says(foreign.status(), "is of repository"));
}

TEST_CASE("Replicated events applied as one batch see each other and end identical",
          "[engine][replica]") {
  ReplicaFixture f;
  std::vector<engine::EventStore::ReplicatedEvent> batch;
  for (const auto& r : f.records) batch.push_back({r.frame, ReplicaFixture::Expected(r)});
  auto head = f.replica->ApplyReplicated(batch);
  REQUIRE(head.ok());
  CHECK(head->sequence == f.primary.store().head().sequence);
  CHECK(head->chain_hash == f.primary.store().head().chain_hash);
  CHECK(f.replica->ComputeStateDigest()->total == f.primary.store().head().state_digest);
  CHECK(f.replica->VerifyLog().ok());
}

TEST_CASE("A refused event in a batch keeps the events before it and nothing after",
          "[engine][replica]") {
  ReplicaFixture f;
  REQUIRE(f.records.size() > 4);
  const size_t bad = f.records.size() / 2;
  std::vector<engine::EventStore::ReplicatedEvent> batch;
  for (const auto& r : f.records) batch.push_back({r.frame, ReplicaFixture::Expected(r)});
  batch[bad].expected.state_digest.low ^= 1;
  auto applied = f.replica->ApplyReplicated(batch);
  REQUIRE(applied.status().IsCorruption());
  CHECK(Says(applied.status(), "event " + std::to_string(f.records[bad].sequence)));
  CHECK(Says(applied.status(), "state digest"));

  // Events before the bad one are there, durable and whole; it and the rest are not.
  const std::string root = f.dir.path();
  f.replica.reset();
  f.replica = std::move(engine::EventStore::Open(root, engine::StoreOptions()).value());
  CHECK(f.replica->head().sequence == f.records[bad - 1].sequence);
  CHECK(f.replica->head().chain_hash == f.records[bad - 1].chain_hash);
  CHECK(f.replica->VerifyLog().ok());
  CHECK(f.replica->ComputeStateDigest()->total == f.records[bad - 1].state_digest);
  // The per-family counts and digests kept in meta left the refused event out too.
  const auto recomputed = f.replica->ComputeStateDigest()->families;
  const auto kept = f.replica->Info()->families;
  REQUIRE(kept.size() == recomputed.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    INFO(kept[i].name);
    CHECK(kept[i].live_entries == recomputed[i].live_entries);
    CHECK(kept[i].digest == recomputed[i].digest);
  }

  // And it goes on from there.
  for (size_t i = bad; i < f.records.size(); ++i) REQUIRE(f.Apply(i).ok());
  CHECK(f.replica->head().state_digest == f.primary.store().head().state_digest);
}

TEST_CASE("A replicated event with a path into .starlog or control characters is refused",
          "[engine][replica][paths]") {
  ReplicaFixture f;
  for (size_t i = 0; i < f.records.size(); ++i) REQUIRE(f.Apply(i).ok());
  const engine::Head before = f.replica->head();
  // Events a primary would never have appended, framed and chained correctly.
  const auto refused = [&](codec::EventBody body) {
    codec::Event event{before.sequence + 1, before.commit_time_ns + 1, "tester", std::move(body),
                       ""};
    std::string frame;
    REQUIRE(codec::AppendEventFrame(event, &frame).ok());
    engine::Head expected = before;
    expected.sequence = event.sequence;
    expected.commit_time_ns = event.commit_time_ns;
    expected.chain_hash = codec::NextChainHash(before.chain_hash, frame);
    return f.replica->ApplyReplicated(frame, expected).status();
  };
  auto planted = refused(codec::RegisterDatasets{
      "HSC/raw/all",
      "raw",
      {{codec::Uuid::Parse("00000000-0000-4000-8000-000000000009").value(),
        RegistryFixture::RawId(101, 3), codec::Artifact{".starlog/registry/999999.log", 1, {}}}}});
  CHECK_FALSE(planted.ok());
  CHECK(Says(planted, ".starlog"));
  auto control = refused(codec::InsertDimensionRecords{"detector",
                                                       {{{"instrument", std::string("HSC")},
                                                         {"detector", int64_t{9}},
                                                         {"full_name", std::string("\x1b[2J")}}},
                                                       false});
  CHECK_FALSE(control.ok());
  CHECK(Says(control, "detector.full_name"));
  CHECK(f.replica->head().sequence == before.sequence);
  CHECK(f.replica->head().chain_hash == before.chain_hash);
}
