#include <catch2/catch.hpp>
#include <random>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using codec::kUnboundedBegin;
using codec::kUnboundedEnd;
using codec::Timespan;
using testutil::RegistryFixture;

namespace {

struct CalibFixture : RegistryFixture {
  CalibFixture() {
    CreateCollection("HSC/calib/DM-1", CollectionType::kCalibration);
    CreateCollection("HSC/calib/bias/run1", CollectionType::kRun);
    CreateCollection("HSC/calib/bias/run2", CollectionType::kRun);
    early = AddBias("HSC/calib/bias/run1", 1);
    late = AddBias("HSC/calib/bias/run2", 1);
  }
  std::vector<std::pair<codec::Uuid, Timespan>> Entries() {
    auto refs = View().QueryDatasets({"bias", {"HSC/calib/DM-1"}, {}, false, std::nullopt});
    REQUIRE(refs.ok());
    std::vector<std::pair<codec::Uuid, Timespan>> out;
    for (const auto& r : *refs) out.emplace_back(r.id, *r.validity);
    return out;
  }
  Result<engine::DatasetRef> At(int64_t t) {
    return View().FindDataset("bias", BiasId(1), {"HSC/calib/DM-1"}, Timespan{t, t + 1});
  }
  codec::Uuid early, late;
};

}  // namespace

TEST_CASE("Certified calibrations are found by time, ends unbounded or not", "[engine][calib]") {
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1",
                          "bias",
                          {{f.early, {kUnboundedBegin, 1000}}, {f.late, {1000, kUnboundedEnd}}}});
  CHECK(f.At(-5'000'000)->id == f.early);
  CHECK(f.At(999)->id == f.early);
  CHECK(f.At(1000)->id == f.late);  // Half-open: the end belongs to the next range.
  CHECK(f.At(4'000'000'000'000'000'000)->id == f.late);
  CHECK(f.At(1000)->validity == Timespan{1000, kUnboundedEnd});
}

TEST_CASE("An overlapping certification is refused, naming the other dataset", "[engine][calib]") {
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}}});
  auto overlap = f.TryAppend(codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {50, 150}}}});
  CHECK(overlap.IsConflict());
  CHECK(Says(overlap, "overlaps dataset " + f.early.ToString()));
  // Touching ranges do not overlap.
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {100, 150}}}});
  // The same certification again is a no-op.
  const uint64_t before = f.head();
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}}});
  CHECK(f.head() == before);
}

TEST_CASE("Overlaps within one certify call are refused", "[engine][calib]") {
  CalibFixture f;
  auto s = f.TryAppend(
      codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}, {f.late, {99, 200}}}});
  CHECK(s.IsConflict());
  CHECK(Says(s, "overlap for the same data ID in one certification"));
}

TEST_CASE("Certification checks collection, type and timespan", "[engine][calib]") {
  CalibFixture f;
  CHECK(Says(f.TryAppend(codec::Certify{"HSC/raw/all", "bias", {{f.early, {0, 1}}}}),
             "needs a CALIBRATION collection"));
  CHECK(Says(f.TryAppend(codec::Certify{"HSC/calib/DM-1", "raw", {{f.early, {0, 1}}}}),
             "not a calibration type"));
  CHECK(Says(f.TryAppend(codec::Certify{"HSC/calib/DM-1", "flat", {{f.early, {0, 1}}}}),
             "is a bias, not a flat"));
  CHECK(
      Says(f.TryAppend(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {6, 5}}}}), "is empty"));
  // [t, t) is the instant t, as Gen3's Timespan pads it to [t, t + 1 ns).
  REQUIRE(f.TryAppend(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {5, 5}}}}).ok());
  CHECK(f.At(5)->id == f.early);
  CHECK(f.At(6).status().IsNotFound());
  CHECK(f.Entries() == std::vector<std::pair<codec::Uuid, Timespan>>{{f.early, {5, 6}}});
}

TEST_CASE("Decertifying trims the ends of ranges and splits them", "[engine][calib]") {
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}, {f.late, {100, 200}}}});
  f.Append(codec::Decertify{"HSC/calib/DM-1", "bias", {}, {90, 110}});
  auto trimmed = f.Entries();
  REQUIRE(trimmed.size() == 2);
  CHECK(trimmed[0] == std::make_pair(f.early, Timespan{0, 90}));
  CHECK(trimmed[1] == std::make_pair(f.late, Timespan{110, 200}));
  f.Append(codec::Decertify{"HSC/calib/DM-1", "bias", {RegistryFixture::BiasId(1)}, {140, 150}});
  auto split = f.Entries();
  REQUIRE(split.size() == 3);
  CHECK(split[1] == std::make_pair(f.late, Timespan{110, 140}));
  CHECK(split[2] == std::make_pair(f.late, Timespan{150, 200}));
  CHECK(f.At(145).status().IsNotFound());
  CHECK(f.At(95).status().IsNotFound());
  // A type that is no calibration has nothing to decertify: refused, not a
  // silent no-op that would hide a wrong name.
  auto raw = f.TryAppend(codec::Decertify{"HSC/calib/DM-1", "raw", {}, {0, 200}});
  CHECK(raw.IsInvalidArgument());
  CHECK(Says(raw, "is not a calibration type"));
  CHECK(f.At(150)->id == f.late);
}

TEST_CASE("A timespan over two validity ranges is an error naming both", "[engine][calib]") {
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}, {f.late, {100, 200}}}});
  auto both = f.View().FindDataset("bias", RegistryFixture::BiasId(1), {"HSC/calib/DM-1"},
                                   Timespan{50, 150});
  CHECK(both.status().IsConflict());
  CHECK(Says(both.status(), f.early.ToString()));
  CHECK(Says(both.status(), f.late.ToString()));
  auto one = f.View().FindDataset("bias", RegistryFixture::BiasId(1), {"HSC/calib/DM-1"},
                                  Timespan{120, 150});
  REQUIRE(one.ok());
  CHECK(one->id == f.late);
}

TEST_CASE("A lookup without a time skips CALIBRATION collections, as Gen3's does",
          "[engine][calib]") {
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}}});
  auto s = f.View().FindDataset("bias", RegistryFixture::BiasId(1), {"HSC/calib/DM-1"});
  CHECK(s.status().IsNotFound());
  CHECK(Says(s.status(), "HSC/calib/DM-1"));
  // Through a path that also holds a RUN, the RUN's dataset is found.
  auto in_run = f.View().FindDataset("bias", RegistryFixture::BiasId(1),
                                     {"HSC/calib/DM-1", "HSC/calib/bias/run2"});
  REQUIRE(in_run.ok());
  CHECK(in_run->id == f.late);
  CHECK(in_run->collection == "HSC/calib/bias/run2");
}

TEST_CASE("A find-first query without a time asks CALIBRATION collections for all of time",
          "[engine][calib]") {
  // As daf_butler's testSkipCalibs: one certification per data ID answers,
  // a second is an ambiguity naming both; with a time, the one valid then.
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 100}}}});
  const std::vector<std::string> path = {"HSC/calib/DM-1", "HSC/calib/bias/run2"};
  auto one = f.View().QueryDatasets({"bias", path, {}, true, std::nullopt});
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].id == f.early);
  CHECK((*one)[0].collection == "HSC/calib/DM-1");

  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {100, 200}}}});
  auto two = f.View().QueryDatasets({"bias", path, {}, true, std::nullopt});
  CHECK(two.status().IsConflict());
  CHECK(Says(two.status(), f.early.ToString()));
  CHECK(Says(two.status(), f.late.ToString()));
  // A span over both ranges is the same ambiguity; a time in one is not.
  auto span = f.View().QueryDatasets({"bias", path, {}, true, Timespan{50, 150}});
  CHECK(span.status().IsConflict());
  auto at = f.View().QueryDatasets({"bias", path, {}, true, Timespan{120, 121}});
  REQUIRE(at.ok());
  REQUIRE(at->size() == 1);
  CHECK((*at)[0].id == f.late);
  // Not find-first, every certification is a row.
  auto all = f.View().QueryDatasets({"bias", path, {}, false, std::nullopt});
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
}

TEST_CASE("Lookups at any time or span agree with a scan of every validity range",
          "[engine][calib]") {
  // FindDataset seeks to the one range that can hold a time instead of
  // scanning them all; checked here against the full scan of QueryDatasets,
  // at every boundary, through decertified gaps and as of earlier points.
  RegistryFixture f;
  f.CreateCollection("calib", CollectionType::kCalibration);
  std::mt19937 rng(7);
  std::vector<codec::Uuid> biases;
  for (int k = 0; k < 12; ++k) {
    const std::string run = "bias/run" + std::to_string(k);
    f.CreateCollection(run, CollectionType::kRun);
    biases.push_back(f.AddBias(run, 1));
  }
  std::vector<int64_t> boundaries;
  int64_t t = -50;
  std::vector<uint64_t> points;
  for (int k = 0; k < 12; ++k) {
    const int64_t begin = t + static_cast<int64_t>(rng() % 3);  // Sometimes a gap.
    const int64_t end = begin + 1 + static_cast<int64_t>(rng() % 20);
    f.Append(codec::Certify{"calib", "bias", {{biases[static_cast<size_t>(k)], {begin, end}}}});
    boundaries.insert(boundaries.end(), {begin, end});
    t = end;
    points.push_back(f.head());
  }
  // Holes punched into some ranges, and a range certified over a hole.
  for (int k = 0; k < 4; ++k) {
    const int64_t at = boundaries[rng() % boundaries.size()];
    f.Append(codec::Decertify{"calib", "bias", {}, {at - 1, at + 2}});
    points.push_back(f.head());
  }
  std::vector<int64_t> times;
  for (int64_t b : boundaries) times.insert(times.end(), {b - 2, b - 1, b, b + 1});
  times.insert(times.end(), {codec::kUnboundedBegin, codec::kUnboundedEnd - 1});
  for (uint64_t point : points) {
    engine::RegistryView view = f.View(point);
    for (int64_t begin : times) {
      for (int64_t length : {int64_t{1}, int64_t{3}, int64_t{25}}) {
        const int64_t end =
            begin > codec::kUnboundedEnd - length ? codec::kUnboundedEnd : begin + length;
        const Timespan span{begin, end};
        auto all = view.QueryDatasets({"bias", {"calib"}, {}, false, span});
        REQUIRE(all.ok());
        auto found = view.FindDataset("bias", RegistryFixture::BiasId(1), {"calib"}, span);
        INFO("as of " << point << ", span [" << begin << ", " << end << ")");
        if (all->empty()) {
          CHECK(found.status().IsNotFound());
        } else if (all->size() == 1) {
          REQUIRE(found.ok());
          CHECK(found->id == (*all)[0].id);
          CHECK(*found->validity == *(*all)[0].validity);
        } else {
          CHECK(found.status().IsConflict());
        }
      }
    }
  }
}

TEST_CASE("Certify refuses exactly the spans that a scan of every range finds overlapping",
          "[engine][calib]") {
  // Certify seeks to the two ranges that can overlap a span (the last
  // beginning at or before it, the first beginning inside it) instead of
  // scanning every epoch; checked against the full scan of QueryDatasets,
  // at every boundary, through decertified gaps, after a reopen (entries in
  // table files, not only the memtable) and through a rebuild (events applied
  // in groups, each seeing the ones before it through the overlay).
  RegistryFixture f;
  f.CreateCollection("calib", CollectionType::kCalibration);
  std::mt19937 rng(11);
  std::vector<codec::Uuid> biases;
  for (int k = 0; k < 13; ++k) {
    const std::string run = "bias/run" + std::to_string(k);
    f.CreateCollection(run, CollectionType::kRun);
    biases.push_back(f.AddBias(run, 1));
  }
  const codec::Uuid probe = biases.back();
  std::vector<int64_t> boundaries;
  int64_t t = -50;
  for (int k = 0; k < 12; ++k) {
    const int64_t begin = t + static_cast<int64_t>(rng() % 3);
    const int64_t end = begin + 1 + static_cast<int64_t>(rng() % 20);
    f.Append(codec::Certify{"calib", "bias", {{biases[static_cast<size_t>(k)], {begin, end}}}});
    boundaries.insert(boundaries.end(), {begin, end});
    t = end;
  }
  for (int k = 0; k < 4; ++k) {
    const int64_t at = boundaries[rng() % boundaries.size()];
    f.Append(codec::Decertify{"calib", "bias", {}, {at - 1, at + 2}});
  }
  f.Reopen();
  std::vector<int64_t> times;
  for (int64_t b : boundaries) times.insert(times.end(), {b - 2, b - 1, b, b + 1});
  times.insert(times.end(), {codec::kUnboundedBegin, codec::kUnboundedEnd - 1});
  int accepted = 0;
  int refused = 0;
  for (int64_t begin : times) {
    for (int64_t length : {int64_t{1}, int64_t{3}, int64_t{25}}) {
      const int64_t end =
          begin > codec::kUnboundedEnd - length ? codec::kUnboundedEnd : begin + length;
      const Timespan span{begin, end};
      auto all = f.View().QueryDatasets({"bias", {"calib"}, {}, false, span});
      REQUIRE(all.ok());
      INFO("span [" << begin << ", " << end << ")");
      const Status s = f.TryAppend(codec::Certify{"calib", "bias", {{probe, span}}});
      if (all->empty()) {
        REQUIRE(s.ok());
        ++accepted;
        // Taken out again: an ended entry for the next seeks to step over.
        f.Append(codec::Decertify{"calib", "bias", {}, span});
      } else {
        CHECK(s.IsConflict());
        CHECK(Says(s, "overlaps dataset " + (*all)[0].id.ToString()));
        ++refused;
      }
    }
  }
  CHECK(accepted > 10);
  CHECK(refused > 10);
  const engine::Head before = f.store().head();
  const std::string root = f.root();
  f.Close();
  REQUIRE(engine::EventStore::Rebuild(root, engine::StoreOptions()).ok());
  auto store = std::move(engine::EventStore::Open(root, engine::StoreOptions()).value());
  CHECK(store->head().sequence == before.sequence);
  CHECK(store->head().state_digest == before.state_digest);
  // The digest kept event by event is the one the entries give when summed
  // afresh: no entry counted twice (PutCalibrationEntry writes without
  // reading the old value), none missed.
  CHECK(store->ComputeStateDigest()->total == before.state_digest);
}

TEST_CASE("Certify sees the ranges the earlier events of one atomic group certified and ended",
          "[engine][calib]") {
  // Events appended together read each other's changes from an overlay, not
  // the database: the seeks for overlaps must see through it both ways.
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 10}}}});
  const auto group = [&](std::vector<codec::EventBody> bodies) {
    return f.store().AppendAll(std::move(bodies), "tester").status();
  };
  // A range certified earlier in the group, found by the backward seek
  // (begins before) and by the forward one (begins inside).
  CHECK(group({codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {20, 30}}}},
               codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {25, 40}}}}})
            .IsConflict());
  CHECK(group({codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {20, 30}}}},
               codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {15, 21}}}}})
            .IsConflict());
  // A stored range ended earlier in the group no longer overlaps; one
  // certified and ended within the group neither.
  CHECK(group({codec::Decertify{"HSC/calib/DM-1", "bias", {}, {0, 10}},
               codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {20, 30}}}},
               codec::Decertify{"HSC/calib/DM-1", "bias", {}, {20, 30}},
               codec::Certify{"HSC/calib/DM-1", "bias", {{f.late, {5, 25}}}}})
            .ok());
  CHECK(f.Entries() == std::vector<std::pair<codec::Uuid, Timespan>>{{f.late, {5, 25}}});
}

TEST_CASE("Decertify naming a data ID twice splits its range once", "[engine][calib]") {
  // Found by review: the second visit of the same entry wrote its "after"
  // piece again, and the digest counted it twice.
  CalibFixture f;
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{f.early, {0, 1000}}}});
  f.Append(codec::Decertify{"HSC/calib/DM-1",
                            "bias",
                            {RegistryFixture::BiasId(1), RegistryFixture::BiasId(1)},
                            {400, 600}});
  CHECK(f.Entries() ==
        std::vector<std::pair<codec::Uuid, Timespan>>{{f.early, {0, 400}}, {f.early, {600, 1000}}});
  CHECK(f.store().ComputeStateDigest()->total == f.store().head().state_digest);
}
