#include "starlog/engine/universe.h"

#include <catch2/catch.hpp>

#include "starlog/engine/data_id_packer.h"
#include "starlog/engine/dataset_ids.h"

using namespace starlog;
using namespace starlog::engine;
using codec::FieldMap;

namespace {

bool Mentions(const Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("The default universe has the Gen3 dimensions", "[engine][universe]") {
  const Universe& u = Universe::Default();
  for (const char* name : {"instrument", "band", "physical_filter", "detector", "day_obs",
                           "exposure", "visit", "skymap", "tract", "patch"}) {
    INFO(name);
    CHECK(u.Find(name) != nullptr);
  }
  CHECK(*u.RequiredKeys({"exposure", "detector"}) ==
        std::vector<std::string>{"detector", "exposure", "instrument"});
  CHECK(*u.RequiredKeys({"patch"}) == std::vector<std::string>{"patch", "skymap", "tract"});
  CHECK(u.RequiredKeys({"filter"}).status().IsInvalidArgument());
}

TEST_CASE("A universe config parses, and its errors name the line", "[engine][universe]") {
  auto u = Universe::Parse(
      "# a tiny telescope\n"
      "element telescope key=string\n"
      "element camera key=int requires=telescope fields=pixels:int max=7\n");
  REQUIRE(u.ok());
  CHECK(u->elements().size() == 2);
  CHECK(u->Find("camera")->max == 7);
  CHECK(*u->RequiredKeys({"camera"}) == std::vector<std::string>{"camera", "telescope"});

  auto forward = Universe::Parse("element a key=int requires=b\nelement b key=int\n");
  REQUIRE(forward.status().IsInvalidArgument());
  CHECK(Mentions(forward.status(), "line 1"));
  CHECK(Mentions(forward.status(), "'b'"));
  auto twice = Universe::Parse("element a key=int\nelement a key=string\n");
  CHECK(Mentions(twice.status(), "line 2"));
  CHECK(Mentions(twice.status(), "defined twice"));
  CHECK(Universe::Parse("element a key=float\n").status().IsInvalidArgument());
  CHECK(Universe::Parse("element a\n").status().IsInvalidArgument());
  CHECK(Universe::Parse("element a key=int fields=x\n").status().IsInvalidArgument());
  CHECK(Universe::Parse("# nothing\n").status().IsInvalidArgument());
}

TEST_CASE("Data ID validation names a missing, extra or wrongly typed key", "[engine][dataid]") {
  const Universe& u = Universe::Default();
  const auto keys = *u.RequiredKeys({"instrument", "detector"});
  CHECK(
      u.ValidateDataId(keys, {{"instrument", std::string("HSC")}, {"detector", int64_t{5}}}).ok());

  auto missing = u.ValidateDataId(keys, {{"instrument", std::string("HSC")}});
  CHECK(missing.IsInvalidArgument());
  CHECK(Mentions(missing, "missing 'detector'"));

  auto extra = u.ValidateDataId(
      keys,
      {{"instrument", std::string("HSC")}, {"detector", int64_t{5}}, {"exposure", int64_t{1}}});
  CHECK(Mentions(extra, "'exposure' is not one of"));

  auto wrong = u.ValidateDataId(
      keys, {{"instrument", std::string("HSC")}, {"detector", std::string("five")}});
  CHECK(Mentions(wrong, "'detector' must be int"));
}

TEST_CASE("Equal data IDs encode to equal bytes, and decode back", "[engine][dataid]") {
  FieldMap a = {{"instrument", std::string("HSC")}, {"detector", int64_t{50}}};
  FieldMap b;
  b.emplace("detector", int64_t{50});
  b.emplace("instrument", std::string("HSC"));
  CHECK(EncodeDataId(a) == EncodeDataId(b));
  CHECK(*DecodeDataId(EncodeDataId(a)) == a);
  FieldMap as_string = {{"instrument", std::string("HSC")}, {"detector", std::string("50")}};
  CHECK(EncodeDataId(as_string) != EncodeDataId(a));
  // Integers sort numerically, negative ones included.
  CHECK(EncodeDataId({{"d", int64_t{-5}}}) < EncodeDataId({{"d", int64_t{3}}}));
  CHECK(EncodeDataId({{"d", int64_t{9}}}) < EncodeDataId({{"d", int64_t{10}}}));
  CHECK(DecodeDataId("garbage").status().IsCorruption());
}

TEST_CASE("Index keys hold a data ID's values in its keys' order, without names",
          "[engine][dataid]") {
  const std::vector<std::string> keys = {"detector", "exposure", "instrument"};
  const FieldMap a = {
      {"instrument", std::string("HSC")}, {"detector", int64_t{50}}, {"exposure", int64_t{903334}}};
  auto bytes = EncodeDataIdValues(a, keys);
  REQUIRE(bytes.ok());
  CHECK(bytes->find("detector") == std::string::npos);
  CHECK(bytes->find("instrument") == std::string::npos);
  CHECK(bytes->size() < EncodeDataId(a).size() / 2);
  CHECK(*DecodeDataIdValues(*bytes, keys) == a);
  // The values of the first keys are a prefix of the whole (the --where
  // narrowing scans by it), and integers sort numerically.
  auto first = EncodeDataIdValues(a, {"detector"});
  REQUIRE(first.ok());
  CHECK(bytes->compare(0, first->size(), *first) == 0);
  CHECK(*EncodeDataIdValues({{"d", int64_t{-5}}}, {"d"}) <
        *EncodeDataIdValues({{"d", int64_t{3}}}, {"d"}));
  CHECK(*EncodeDataIdValues({{"d", int64_t{9}}}, {"d"}) <
        *EncodeDataIdValues({{"d", int64_t{10}}}, {"d"}));
  // Keys it lacks are named; keys it has beyond the list are left out.
  auto missing = EncodeDataIdValues({{"detector", int64_t{1}}}, keys);
  CHECK(missing.status().IsInvalidArgument());
  CHECK(Mentions(missing.status(), "missing 'exposure'"));
  CHECK(*EncodeDataIdValues(a, {"instrument"}) ==
        *EncodeDataIdValues({{"instrument", std::string("HSC")}}, {"instrument"}));
  // A key list that does not fit the bytes is corruption, not a misread.
  CHECK(DecodeDataIdValues(*bytes, {"detector", "exposure"}).status().IsCorruption());
  CHECK(DecodeDataIdValues(*bytes, {"a", "b", "c", "d"}).status().IsCorruption());
  CHECK(DecodeDataIdValues("garbage", {"a"}).status().IsCorruption());
}

TEST_CASE("Data ID text parses with the universe's types", "[engine][dataid]") {
  const Universe& u = Universe::Default();
  auto d = u.ParseFields("instrument=HSC, detector=50,exposure=903334");
  REQUIRE(d.ok());
  CHECK(d->at("instrument") == codec::FieldValue(std::string("HSC")));
  CHECK(d->at("detector") == codec::FieldValue(int64_t{50}));
  CHECK(Mentions(u.ParseFields("detector=fifty").status(), "'detector' takes an integer"));
  CHECK(Mentions(u.ParseFields("colour=red").status(), "unknown dimension 'colour'"));
  CHECK(Mentions(u.ParseFields("detector=1,detector=2").status(), "given twice"));
  CHECK(u.ParseFields("detector").status().IsInvalidArgument());
  const DimensionElement* exposure = u.Find("exposure");
  auto record =
      u.ParseFields("instrument=HSC,exposure=1,observation_type=bias,timespan_begin=5", exposure);
  REQUIRE(record.ok());
  CHECK(record->at("timespan_begin") == codec::FieldValue(int64_t{5}));
}

TEST_CASE("Data IDs pack to integers of the bits needed and back", "[engine][packer]") {
  const Universe& u = Universe::Default();
  auto packer =
      DataIdPacker::Create(u, {"exposure", "detector"},
                           {{"instrument", std::nullopt, {"HSC", "LSSTCam", "LATISS"}, {}},
                            {"detector", 200, {}, {}},
                            {"exposure", 1'000'000, {}, {}}});
  REQUIRE(packer.ok());
  // Digits of 3 (instrument), 1,000,001 (exposure) and 201 (detector) values:
  // 603,000,603 values, 30 bits.
  CHECK(packer->bits() == 30);
  CHECK(packer->keys() == std::vector<std::string>{"instrument", "exposure", "detector"});
  FieldMap id = {{"instrument", std::string("LSSTCam")},
                 {"detector", int64_t{199}},
                 {"exposure", int64_t{903334}}};
  auto packed = packer->Pack(id);
  REQUIRE(packed.ok());
  CHECK(*packed < (uint64_t{1} << 30));
  CHECK(*packer->Unpack(*packed) == id);

  std::vector<FieldMap> batch;
  for (int64_t d = 0; d <= 200; d += 40) {
    batch.push_back({{"instrument", std::string("LATISS")}, {"detector", d}, {"exposure", d * 7}});
  }
  auto many = packer->PackBatch(batch);
  REQUIRE(many.ok());
  CHECK(*packer->UnpackBatch(*many) == batch);

  id["detector"] = int64_t{201};
  CHECK(Mentions(packer->Pack(id).status(), "outside 0..200"));
  id["detector"] = int64_t{1};
  id["instrument"] = std::string("DECam");
  CHECK(Mentions(packer->Pack(id).status(), "'DECam' is not known"));
  CHECK(packer->Unpack(uint64_t{1} << 40).status().IsInvalidArgument());
  CHECK(DataIdPacker::Create(u, {"detector"}, {}).status().IsInvalidArgument());
}

TEST_CASE("With the instrument fixed, packing is the butler's observation packing",
          "[engine][packer]") {
  const Universe& u = Universe::Default();
  // HSC as obs_subaru declares it: detector_max 200, exposure_max 21474800
  // (each greater than every value), so the bounds below are one less.
  auto packer =
      DataIdPacker::Create(u, {"exposure", "detector"},
                           {{"instrument", std::nullopt, {}, codec::FieldValue(std::string("HSC"))},
                            {"detector", 199, {}, {}},
                            {"exposure", 21'474'799, {}, {}}});
  REQUIRE(packer.ok());
  const FieldMap id = {
      {"instrument", std::string("HSC")}, {"detector", int64_t{16}}, {"exposure", int64_t{903334}}};
  // detector + detector_max * exposure, in (200 * 21474800).bit_length() bits.
  CHECK(*packer->Pack(id) == 16 + 200 * uint64_t{903334});
  CHECK(packer->bits() == 32);  // 4,294,960,000 values: just under 2^32.
  CHECK(*packer->Unpack(16 + 200 * uint64_t{903334}) == id);
  CHECK(packer->fixed() == FieldMap{{"instrument", std::string("HSC")}});
  FieldMap other = id;
  other["instrument"] = std::string("LSSTCam");
  CHECK(Mentions(packer->Pack(other).status(), "packs data IDs of instrument HSC only"));
  // Past 64 bits is refused.
  CHECK(DataIdPacker::Create(u, {"exposure", "detector"},
                             {{"instrument", std::nullopt, {}, codec::FieldValue(std::string("X"))},
                              {"detector", uint64_t{1} << 40, {}, {}},
                              {"exposure", uint64_t{1} << 40, {}, {}}})
            .status()
            .IsInvalidArgument());
}

TEST_CASE("Deterministic dataset ids equal the Gen3 butler's", "[engine][uuid]") {
  const FieldMap bias = {{"instrument", std::string("Cam1")}, {"detector", int64_t{1}}};
  CHECK(DeterministicDatasetId("bias", bias, std::nullopt).ToString() ==
        "4fa35c72-f4a9-5106-8947-b65ef4096e96");
  CHECK(DeterministicDatasetId("bias", bias, "run1").ToString() ==
        "7556d2d0-3690-5c7c-83cf-75a016a52bbe");
  CHECK(MakeDatasetId(DatasetIdMode::kDataIdType, "bias", bias, "anything") ==
        DeterministicDatasetId("bias", bias, std::nullopt));
}

TEST_CASE("Random dataset ids are time-ordered UUID v7", "[engine][uuid]") {
  const codec::Uuid a = RandomDatasetId();
  const codec::Uuid b = RandomDatasetId();
  CHECK(a != b);
  CHECK((a.bytes[6] >> 4) == 7);
  CHECK((a.bytes[8] & 0xc0) == 0x80);
  // The first 48 bits are the millisecond clock: b is not earlier than a.
  CHECK(std::lexicographical_compare(b.bytes.begin(), b.bytes.begin() + 6, a.bytes.begin(),
                                     a.bytes.begin() + 6) == false);
}

TEST_CASE("A relation (key=none) is keyed by the elements it relates", "[engine][universe]") {
  const std::string base =
      "element instrument key=string\n"
      "element exposure key=int requires=instrument\n"
      "element visit key=int requires=instrument\n";
  auto u =
      engine::Universe::Parse(base + "element visit_definition key=none requires=exposure,visit\n");
  REQUIRE(u.ok());
  const engine::DimensionElement* relation = u->Find("visit_definition");
  REQUIRE(relation != nullptr);
  CHECK(relation->join);
  CHECK(u->RequiredKeys({"visit_definition"}).value() ==
        std::vector<std::string>{"exposure", "instrument", "visit"});
  // Its records hold every key it requires, however deep, and nothing of its own.
  CHECK(u->FieldType(*relation, "instrument") != nullptr);
  CHECK(u->FieldType(*relation, "visit_definition") == nullptr);
  // It relates two or more elements, and implies nothing.
  CHECK(engine::Universe::Parse(base + "element r key=none requires=visit\n")
            .status()
            .IsInvalidArgument());
  CHECK(engine::Universe::Parse(base + "element r key=none requires=exposure,visit implies=visit\n")
            .status()
            .IsInvalidArgument());
  CHECK(engine::Universe::Parse(base + "element r key=none requires=exposure,visit max=5\n")
            .status()
            .IsInvalidArgument());
}
