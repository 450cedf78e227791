// The entries of a RUN membership, a TAGGED membership and a CALIBRATION
// entry span several families (engine/model/memberships.h). Every path that
// takes datasets out must leave the families agreeing, which only a walk of
// the families shows: a rebuild replays a missed delete, digest and all.

#include <catch2/catch.hpp>

#include "engine/model/registry_keys.h"
#include "starlog/engine/prune.h"
#include "starlog/engine/universe.h"
#include "tests/engine/raw_indexes.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;
using codec::Timespan;
using testutil::RegistryFixture;

namespace {

// Datasets in two RUNs, each tagged into a TAGGED collection and certified
// (twice, in two ranges) into a CALIBRATION one.
struct MembershipFixture : RegistryFixture {
  MembershipFixture() {
    CreateCollection("HSC/calib/run1", CollectionType::kRun);
    CreateCollection("HSC/calib/run2", CollectionType::kRun);
    CreateCollection("HSC/tagged", CollectionType::kTagged);
    CreateCollection("HSC/calib", CollectionType::kCalibration);
    for (int64_t detector = 0; detector < 2; ++detector) {
      first.push_back(AddBias("HSC/calib/run1", detector));
      second.push_back(AddBias("HSC/calib/run2", detector));
    }
    Append(codec::Tag{"HSC/tagged", {first[0], second[1]}});
    Append(codec::Certify{"HSC/calib",
                          "bias",
                          {{first[0], {0, 100}},
                           {first[0], {200, 300}},
                           {second[0], {100, 200}},
                           {first[1], {0, 300}}}});
  }

  // Closes the store and checks the families of its latest state: "OK", or
  // what is wrong.
  std::string CloseAndCheck() {
    Close();
    return testutil::CheckRepositoryMemberships(root()).ToString();
  }

  std::vector<codec::Uuid> first, second;  // By detector.
};

}  // namespace

TEST_CASE("Registered, tagged and certified datasets leave consistent families",
          "[engine][memberships]") {
  MembershipFixture f;
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("Removing datasets takes every membership along", "[engine][memberships]") {
  MembershipFixture f;
  f.Append(codec::RemoveDatasets{{f.first[0], f.second[1]}});
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("Pruning datasets takes every membership along", "[engine][memberships]") {
  MembershipFixture f;
  REQUIRE(engine::PruneDatasets(f.store(), {f.first[0], f.first[1]}, engine::PruneMode::kPurge,
                                "tester")
              .ok());
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("Removing a RUN with its datasets takes every membership along",
          "[engine][memberships]") {
  MembershipFixture f;
  f.Append(codec::RemoveCollection{"HSC/calib/run1", true});
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("Removing a TAGGED or CALIBRATION collection ends its memberships",
          "[engine][memberships]") {
  MembershipFixture f;
  const bool tagged = GENERATE(true, false);
  f.Append(codec::RemoveCollection{tagged ? "HSC/tagged" : "HSC/calib", false});
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("Disassociating and decertifying end the memberships they empty",
          "[engine][memberships]") {
  MembershipFixture f;
  f.Append(codec::Untag{"HSC/tagged", {f.first[0], f.second[0]}});
  // Splits first[1]'s range in two; ends first[0]'s first range, not its second.
  f.Append(codec::Decertify{"HSC/calib", "bias", {}, {50, 150}});
  // Ends what is left of first[0] and second[0]: their memberships go.
  f.Append(codec::Decertify{"HSC/calib", "bias", {RegistryFixture::BiasId(0)}, {0, 400}});
  CHECK(f.CloseAndCheck() == "OK");
}

TEST_CASE("The membership check finds the entries a missed delete leaves",
          "[engine][memberships]") {
  const size_t which = GENERATE(range(size_t{0}, size_t{4}));
  MembershipFixture f;
  const codec::Uuid id = f.first[0];
  const uint64_t next = f.head() + 1;
  f.Close();
  testutil::RawIndexes indexes(f.root());
  REQUIRE(indexes.Check().ok());
  const auto data_id =
      *engine::EncodeDataIdValues(RegistryFixture::BiasId(0), {"detector", "instrument"});
  using engine::Family;
  namespace keys = engine::keys;
  struct Damage {
    Family family;
    std::string key;
    std::string payload;
    std::string message;
  };
  const std::vector<Damage> damages = {
      {Family::kDatasetLookup, keys::Lookup("bias", data_id, "HSC/elsewhere"),
       std::string(id.AsBytes()), "has no datasets or tags entry"},
      {Family::kDatasetTags, keys::Membership(id, "HSC/other"),
       std::string(keys::kTaggedMembership), "has no tags entry"},
      {Family::kDatasetTags, keys::Membership(f.second[1], "HSC/calib"),
       std::string(keys::kCalibrationMembership), "has no calibrations entry"},
      {Family::kDatasetIds, keys::DatasetId(codec::Uuid::FromBytes("0123456789abcdef")),
       keys::EncodeDatasetRecord({"HSC/calib/run1", "bias", data_id}), "has no datasets entry"},
  };
  const Damage& damage = damages.at(which);
  indexes.Put(next, damage.family, damage.key, damage.payload);
  const Status check = indexes.Check();
  INFO(check.ToString());
  CHECK(check.IsCorruption());
  CHECK(Says(check, damage.message));
}
