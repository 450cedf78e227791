// Content digests (engine/store/content_digest.h) and the comparison of two
// repositories of different lineage (content_compare.h).

#include "engine/store/content_digest.h"

#include <catch2/catch.hpp>
#include <random>

#include "engine/store/event_store_impl.h"
#include "starlog/engine/content_compare.h"
#include "starlog/engine/dataset_ids.h"
#include "tests/engine/raw_indexes.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using codec::Timespan;
using codec::Uuid;
using testutil::RegistryFixture;

namespace {

engine::EventStoreImpl& Impl(engine::EventStore& store) {
  return static_cast<engine::EventStoreImpl&>(store);
}

// The partitions the store keeps, which must be stored, not computed.
engine::PartMap Stored(engine::EventStore& store) {
  bool computed = true;
  auto parts = Impl(store).ContentParts(&computed);
  REQUIRE(parts.ok());
  CHECK_FALSE(computed);
  return *parts;
}

engine::PartMap Scanned(engine::EventStore& store) {
  auto parts = engine::ComputeParts(Impl(store).handles(), engine::kLatest);
  REQUIRE(parts.ok());
  return *parts;
}

bool Same(const engine::PartMap& a, const engine::PartMap& b) {
  if (a.size() != b.size()) return false;
  for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
    if (x->first != y->first || x->second.entries != y->second.entries ||
        x->second.digest != y->second.digest) {
      return false;
    }
  }
  return true;
}

codec::Artifact File(const std::string& path, uint64_t size) {
  return codec::Artifact{path, size, codec::Xxh3_128(path + std::to_string(size)), 0};
}

engine::ContentReport Compare(engine::EventStore& a, engine::EventStore& b, size_t limit = 20) {
  auto report = engine::CompareContent(a, b, {limit});
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return *report;
}

// Random commands, valid or not, alone or several to an atomic group: the
// digests must come out as a scan of the indexes after any of them.
class RandomEdits {
 public:
  explicit RandomEdits(uint32_t seed) : rng_(seed) {}

  codec::EventBody Next() {
    const int pick = static_cast<int>(rng_() % 24);
    // Mostly a collection of the kind the command needs.
    const char* const kinds[] = {"r", "t", "c"};
    const int kind = pick >= 14 && pick < 18 ? 1 : pick >= 18 && pick < 22 ? 2 : 0;
    const std::string c = rng_() % 8 == 0 ? Name() : kinds[kind] + std::to_string(1 + rng_() % 2);
    switch (pick / 2) {
      case 0:
        if (rng_() % 4) return codec::CreateCollection{c, CollectionType::kRun, ""};
        return codec::RemoveCollection{c, true};
      case 1:
        return codec::CreateCollection{Name(), static_cast<CollectionType>(1 + rng_() % 4), ""};
      case 2:
      case 3: {
        const int64_t detector = static_cast<int64_t>(rng_() % 4);
        const Uuid id = engine::RandomDatasetId();
        std::optional<codec::Artifact> file;
        if (rng_() % 2) file = File("f/" + id.ToString(), rng_() % 100);
        ids_.push_back(id);
        return codec::RegisterDatasets{
            c, "bias", {codec::DatasetEntry{id, RegistryFixture::BiasId(detector), file}}};
      }
      case 4:
        return codec::RemoveDatasets{{Some()}};
      case 5:
        return codec::AttachArtifacts{{{Some(), File("g/" + std::to_string(rng_() % 9), 7)}}};
      case 6:
        return codec::DetachArtifacts{{Some()}};
      case 7:
        return codec::Tag{c, {Some()}};
      case 8:
        return codec::Untag{c, {Some()}};
      case 9: {
        const int64_t a = static_cast<int64_t>(rng_() % 100);
        return codec::Certify{
            c, "bias", {{Some(), Timespan{a, a + 1 + static_cast<int64_t>(rng_() % 50)}}}};
      }
      case 10: {
        const int64_t a = static_cast<int64_t>(rng_() % 100);
        return codec::Decertify{
            c, "bias", {}, Timespan{a, a + 1 + static_cast<int64_t>(rng_() % 30)}};
      }
      default: {
        // A record replaced: a new ordinal, maybe new fields.
        const int64_t d = static_cast<int64_t>(rng_() % 4);
        return codec::InsertDimensionRecords{"detector",
                                             {{{"instrument", std::string("HSC")},
                                               {"detector", d},
                                               {"full_name", "ccd" + std::to_string(rng_() % 3)}}},
                                             true};
      }
    }
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::string Name() {
    static const char* kNames[] = {"r1", "r2", "t1", "t2", "c1", "c2", "r3"};
    return kNames[rng_() % 7];
  }
  Uuid Some() {
    if (ids_.empty() || rng_() % 6 == 0) return engine::RandomDatasetId();
    return ids_[rng_() % ids_.size()];
  }

  std::mt19937 rng_;
  std::vector<Uuid> ids_;
};

// Two repositories with the same content: runs, a TAGGED and a CALIBRATION
// collection, files, records. "reversed" builds it in another order, one
// event per entry, with the detector records inserted the other way round.
void Build(RegistryFixture& f, bool reversed) {
  f.CreateCollection("run/a", CollectionType::kRun);
  f.CreateCollection("tagged", CollectionType::kTagged);
  f.CreateCollection("calib", CollectionType::kCalibration);
  std::vector<codec::EventBody> bodies;
  for (int64_t d = 0; d < 4; ++d) {
    const auto id = RegistryFixture::BiasId(d);
    const Uuid uuid = engine::DeterministicDatasetId("bias", id, "run/a");
    bodies.push_back(codec::RegisterDatasets{
        "run/a", "bias", {codec::DatasetEntry{uuid, id, File("bias/" + std::to_string(d), 10)}}});
  }
  for (int64_t d = 0; d < 4; ++d) {
    const Uuid uuid = engine::DeterministicDatasetId("bias", RegistryFixture::BiasId(d), "run/a");
    if (d % 2 == 0) bodies.push_back(codec::Tag{"tagged", {uuid}});
    bodies.push_back(codec::Certify{"calib", "bias", {{uuid, Timespan{10 * d, 10 * d + 10}}}});
  }
  for (int64_t d = 10; d < 12; ++d) {
    bodies.push_back(codec::InsertDimensionRecords{
        "detector",
        {{{"instrument", std::string("HSC")}, {"detector", d}, {"full_name", std::string("x")}}},
        false});
  }
  if (reversed) {
    // Certifications before tags, each kind in reverse: still after their datasets.
    std::reverse(bodies.begin() + 4, bodies.end());
    std::reverse(bodies.begin(), bodies.begin() + 4);
  }
  for (auto& b : bodies) f.Append(b, reversed ? "other" : "tester");
}

}  // namespace

TEST_CASE("Content digests kept with each event equal a scan, after random edits and rebuild",
          "[engine][content]") {
  const uint32_t seed = Catch::rngSeed() == 0 ? 20261202u : Catch::rngSeed();
  INFO("seed " << seed);
  RegistryFixture f;
  for (const char* t : {"t1", "t2"}) f.CreateCollection(t, CollectionType::kTagged);
  for (const char* c : {"c1", "c2"}) f.CreateCollection(c, CollectionType::kCalibration);
  RandomEdits edits(seed);
  int applied = 0;
  for (int round = 0; round < 600; ++round) {
    if (edits.rng()() % 3 == 0) {
      // An atomic group: every event or none, each seeing the ones before.
      std::vector<codec::EventBody> group;
      for (int n = 2 + static_cast<int>(edits.rng()() % 4); n > 0; --n)
        group.push_back(edits.Next());
      applied += f.store().AppendAll(group, "tester").ok();
    } else {
      applied += f.store().Append(edits.Next(), "tester").ok();
    }
    if (round % 25 == 0) REQUIRE(Same(Stored(f.store()), Scanned(f.store())));
  }
  CHECK(applied > 100);
  const engine::PartMap before = Stored(f.store());
  REQUIRE(Same(before, Scanned(f.store())));
  f.Close();
  REQUIRE(engine::EventStore::Rebuild(f.root(), engine::StoreOptions()).ok());
  f.Reopen();
  CHECK(Same(Stored(f.store()), before));
}

TEST_CASE("A repository without content digests gains them at a writer's open",
          "[engine][content]") {
  RegistryFixture f;
  Build(f, false);
  const engine::PartMap kept = Stored(f.store());
  REQUIRE(kept.size() > 3);
  f.Close();
  testutil::RawIndexes(f.root()).ForgetContentDigests();
  {
    // A reader computes them for itself, and says so.
    engine::StoreOptions read_only;
    read_only.read_only = true;
    auto reader = engine::EventStore::Open(f.root(), read_only);
    REQUIRE(reader.ok());
    bool computed = false;
    auto parts = Impl(**reader).ContentParts(&computed);
    REQUIRE(parts.ok());
    CHECK(computed);
    CHECK(Same(*parts, kept));
  }
  f.Reopen();
  CHECK(Same(Stored(f.store()), kept));
  // And keeps them from then on.
  f.CreateCollection("run/c", CollectionType::kRun);
  f.AddBias("run/c", 3);
  CHECK(Same(Stored(f.store()), Scanned(f.store())));
}

TEST_CASE("Repositories built apart with the same content in another order agree",
          "[engine][content]") {
  RegistryFixture a, b;
  Build(a, false);
  Build(b, true);
  REQUIRE(a.store().head().chain_hash != b.store().head().chain_hash);
  const engine::ContentReport r = Compare(a.store(), b.store());
  INFO((r.families.empty() ? "" : r.families.front()));
  CHECK(r.agree);
  CHECK(r.parts.empty());
  CHECK(r.differences == 0);
}

TEST_CASE("A differing dataset, tag, certification, file and record are each named",
          "[engine][content]") {
  RegistryFixture a, b;
  Build(a, false);
  Build(b, true);
  const auto bias = [](int64_t d) {
    return engine::DeterministicDatasetId("bias", RegistryFixture::BiasId(d), "run/a");
  };

  SECTION("a dataset only in one") {
    b.CreateCollection("run/b", CollectionType::kRun);
    const Uuid extra = b.AddBias("run/b", 2);
    const engine::ContentReport r = Compare(a.store(), b.store());
    CHECK_FALSE(r.agree);
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].collection == "run/b");
    CHECK(r.parts[0].dataset_type == "bias");
    CHECK(r.parts[0].here_entries == 0);
    CHECK(r.parts[0].there_entries == 1);
    REQUIRE(r.differences == 2);  // The dataset, and the collection's definition.
    const auto& d = r.entries[0];
    CHECK(d.kind == "RUN");
    CHECK(d.collection == "run/b");
    CHECK(d.data_id == RegistryFixture::BiasId(2));
    CHECK_FALSE(d.here);
    REQUIRE(d.there);
    CHECK(d.there->id == extra);
    CHECK(r.entries[1].kind == "collections");
    CHECK(r.entries[1].collection == "run/b");
  }
  SECTION("a tag") {
    b.Append(codec::Untag{"tagged", {bias(2)}});
    b.Append(codec::Tag{"tagged", {bias(1)}});
    const engine::ContentReport r = Compare(a.store(), b.store());
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].collection == "tagged");
    REQUIRE(r.differences == 2);
    CHECK(r.entries[0].kind == "TAGGED");
    CHECK(r.entries[0].data_id == RegistryFixture::BiasId(1));
    CHECK_FALSE(r.entries[0].here);
    CHECK(r.entries[0].there->id == bias(1));
    CHECK(r.entries[1].data_id == RegistryFixture::BiasId(2));
    CHECK(r.entries[1].here->id == bias(2));
    CHECK_FALSE(r.entries[1].there);
  }
  SECTION("a certification's validity") {
    b.Append(codec::Decertify{"calib", "bias", {RegistryFixture::BiasId(3)}, Timespan{35, 40}});
    const engine::ContentReport r = Compare(a.store(), b.store());
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].collection == "calib");
    REQUIRE(r.differences == 1);
    const auto& d = r.entries[0];
    CHECK(d.kind == "CALIBRATION");
    CHECK(d.data_id == RegistryFixture::BiasId(3));
    REQUIRE(d.here);
    REQUIRE(d.there);
    CHECK(d.here->validity == Timespan{30, 40});
    CHECK(d.there->validity == Timespan{30, 35});
    CHECK(d.there->id == bias(3));
  }
  SECTION("a file") {
    b.Append(codec::DetachArtifacts{{bias(1)}});
    b.Append(codec::AttachArtifacts{{{bias(1), File("bias/1", 11)}}});
    const engine::ContentReport r = Compare(a.store(), b.store());
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].collection == "run/a");
    REQUIRE(r.differences == 1);
    CHECK(r.entries[0].kind == "file");
    CHECK(r.entries[0].data_id == RegistryFixture::BiasId(1));
    CHECK(r.entries[0].here->detail.find("10 bytes") != std::string::npos);
    CHECK(r.entries[0].there->detail.find("11 bytes") != std::string::npos);
  }
  SECTION("a dimension record's fields, not its ordinal") {
    b.Append(codec::InsertDimensionRecords{"detector",
                                           {{{"instrument", std::string("HSC")},
                                             {"detector", int64_t{11}},
                                             {"full_name", std::string("y")}}},
                                           true});
    const engine::ContentReport r = Compare(a.store(), b.store());
    REQUIRE(r.parts.size() == 1);
    CHECK(r.parts[0].record);
    CHECK(r.parts[0].collection == "detector");
    REQUIRE(r.differences == 1);
    CHECK(r.entries[0].kind == "record");
    INFO(r.entries[0].here->detail);
    CHECK(r.entries[0].here->detail.find("x") != std::string::npos);
    CHECK(r.entries[0].there->detail.find("y") != std::string::npos);
  }
  SECTION("many differences: the first few named, all counted") {
    b.CreateCollection("run/b", CollectionType::kRun);
    for (int64_t d = 0; d < 4; ++d) b.AddBias("run/b", d);
    const engine::ContentReport r = Compare(a.store(), b.store(), 2);
    CHECK(r.differences == 5);
    CHECK(r.entries.size() == 2);
  }
}

TEST_CASE("A dataset removed with its file, alone or with its run, leaves no content behind",
          "[engine][content]") {
  RegistryFixture f;
  f.CreateCollection("tagged", CollectionType::kTagged);
  const engine::PartMap before = Stored(f.store());
  for (const bool whole_run : {false, true}) {
    f.CreateCollection("run/x", CollectionType::kRun);
    const Uuid id = engine::RandomDatasetId();
    f.Append(codec::RegisterDatasets{
        "run/x", "bias", {codec::DatasetEntry{id, RegistryFixture::BiasId(1), File("x", 3)}}});
    f.Append(codec::Tag{"tagged", {id}});
    REQUIRE(Stored(f.store()).size() == before.size() + 2);
    if (whole_run) {
      f.Append(codec::RemoveCollection{"run/x", true});
    } else {
      // In one atomic group with a second dataset registered and removed.
      const Uuid other = engine::RandomDatasetId();
      REQUIRE(f.store()
                  .AppendAll(
                      {codec::RegisterDatasets{
                           "run/x",
                           "bias",
                           {codec::DatasetEntry{other, RegistryFixture::BiasId(2), File("y", 4)}}},
                       codec::RemoveDatasets{{id, other}}, codec::RemoveCollection{"run/x", false}},
                      "tester")
                  .ok());
    }
    CHECK(Same(Stored(f.store()), before));
    CHECK(Same(Stored(f.store()), Scanned(f.store())));
  }
}

namespace {

// Hands every page request on with at most one entry, and no bytes past
// it: every merge then crosses a page boundary at each entry.
class OneAtATime final : public engine::ContentSource {
 public:
  explicit OneAtATime(engine::ContentSource& inner) : inner_(inner) {}
  const engine::ContentSummary& summary() const override { return inner_.summary(); }
  Result<engine::Page<engine::ContentPart>> Parts(std::string_view after,
                                                  const engine::PageLimit&) override {
    ++pages;
    return inner_.Parts(after, engine::PageLimit{1, 1});
  }
  Result<engine::Page<engine::ContentEntry>> Entries(engine::ContentRange range,
                                                     std::string_view prefix,
                                                     std::string_view after,
                                                     const engine::PageLimit&) override {
    ++pages;
    return inner_.Entries(range, prefix, after, engine::PageLimit{1, 1});
  }
  int pages = 0;

 private:
  engine::ContentSource& inner_;
};

}  // namespace

TEST_CASE("A content source reads as of the point it was opened at, while the store is written",
          "[engine][content]") {
  RegistryFixture a, b;
  Build(a, false);
  Build(b, true);
  auto before = engine::OpenContentSource(a.store()).value();
  const uint64_t head = a.store().head().sequence;
  // Written after the point: a dataset, a file, a certification, a record.
  a.CreateCollection("run/b", CollectionType::kRun);
  a.AddBias("run/b", 1);
  const Uuid bias1 = engine::DeterministicDatasetId("bias", RegistryFixture::BiasId(1), "run/a");
  a.Append(codec::DetachArtifacts{{bias1}});
  a.Append(codec::Decertify{"calib", "bias", {RegistryFixture::BiasId(3)}, Timespan{35, 40}});
  CHECK(before->summary().head == head);

  auto other = engine::OpenContentSource(b.store()).value();
  const auto r = engine::CompareContent(*before, *other);
  REQUIRE(r.ok());
  CHECK(r->agree);
  CHECK(r->here_head == head);

  auto now = engine::OpenContentSource(a.store()).value();
  const auto moved = engine::CompareContent(*now, *other);
  REQUIRE(moved.ok());
  CHECK_FALSE(moved->agree);
  CHECK(moved->differing_parts == 3);  // run/b, run/a's file, calib.
}

TEST_CASE("Comparing a page at a time names the same differences", "[engine][content]") {
  RegistryFixture a, b;
  Build(a, false);
  Build(b, true);
  b.CreateCollection("run/b", CollectionType::kRun);
  for (int64_t d = 0; d < 3; ++d) b.AddBias("run/b", d);
  const Uuid bias1 = engine::DeterministicDatasetId("bias", RegistryFixture::BiasId(1), "run/a");
  b.Append(codec::DetachArtifacts{{bias1}});
  b.Append(codec::AttachArtifacts{{{bias1, File("bias/1", 11)}}});
  const engine::ContentReport whole = Compare(a.store(), b.store());

  auto here = engine::OpenContentSource(a.store()).value();
  auto there = engine::OpenContentSource(b.store()).value();
  OneAtATime x(*here), y(*there);
  const auto paged = engine::CompareContent(x, y);
  REQUIRE(paged.ok());
  CHECK(x.pages > 10);
  CHECK(paged->differences == whole.differences);
  CHECK(paged->differing_parts == whole.differing_parts);
  REQUIRE(paged->entries.size() == whole.entries.size());
  for (size_t i = 0; i < whole.entries.size(); ++i) {
    CHECK(paged->entries[i].kind == whole.entries[i].kind);
    CHECK(paged->entries[i].data_id == whole.entries[i].data_id);
  }
  CHECK(whole.differences == 5);  // Three datasets, a file, the collection.
}
