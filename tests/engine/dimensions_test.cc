#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::FieldMap;
using codec::InsertDimensionRecords;

namespace {
std::string S(const char* s) { return s; }
}  // namespace

TEST_CASE("Dimension records are validated against the universe", "[engine][dimensions]") {
  testutil::RegistryFixture f;
  CHECK(Says(f.TryAppend(InsertDimensionRecords{"camera", {{{"camera", S("x")}}}, false}),
             "unknown dimension 'camera'"));
  CHECK(Says(f.TryAppend(InsertDimensionRecords{"detector", {{{"detector", int64_t{9}}}}, false}),
             "missing 'instrument'"));
  CHECK(Says(f.TryAppend(InsertDimensionRecords{
                 "detector",
                 {{{"instrument", S("HSC")}, {"detector", int64_t{9}}, {"colour", S("red")}}},
                 false}),
             "unknown field 'colour'"));
  CHECK(Says(f.TryAppend(InsertDimensionRecords{
                 "detector", {{{"instrument", S("HSC")}, {"detector", S("nine")}}}, false}),
             "'detector' must be int"));
}

TEST_CASE("A record needs the records it depends on", "[engine][dimensions]") {
  testutil::RegistryFixture f;
  auto s = f.TryAppend(InsertDimensionRecords{
      "detector", {{{"instrument", S("LSSTCam")}, {"detector", int64_t{1}}}}, false});
  CHECK(s.IsNotFound());
  CHECK(Says(s, "refers to a instrument that has no record"));
  auto implied = f.TryAppend(InsertDimensionRecords{
      "exposure",
      {{{"instrument", S("HSC")}, {"exposure", int64_t{5}}, {"physical_filter", S("HSC-Z")}}},
      false});
  CHECK(Says(implied, "physical_filter that has no record"));
}

TEST_CASE("Re-inserting a record: identical is a no-op, different needs replace",
          "[engine][dimensions]") {
  testutil::RegistryFixture f;
  const uint64_t before = f.head();
  const FieldMap det0 = {
      {"instrument", S("HSC")}, {"detector", int64_t{0}}, {"full_name", S("ccd0")}};
  f.Append(InsertDimensionRecords{"detector", {det0}, false});
  CHECK(f.head() == before);
  FieldMap renamed = det0;
  renamed["full_name"] = S("renamed");
  CHECK(Says(f.TryAppend(InsertDimensionRecords{"detector", {renamed}, false}), "already exists"));
  f.Append(InsertDimensionRecords{"detector", {renamed}, true});
  auto records =
      f.View().QueryDimensionRecords("detector", *engine::WhereClause::Parse("detector = 0"));
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK((*records)[0].at("full_name") == codec::FieldValue(S("renamed")));
}

TEST_CASE("Dimension records are queried with where clauses", "[engine][dimensions]") {
  testutil::RegistryFixture f;
  auto v = f.View();
  auto science = v.QueryDimensionRecords(
      "exposure", *engine::WhereClause::Parse("observation_type = 'science'"));
  REQUIRE(science.ok());
  CHECK(science->size() == 2);
  auto by_band = v.QueryDimensionRecords("exposure", *engine::WhereClause::Parse("band = r"));
  INFO(by_band.status().ToString());
  REQUIRE(by_band.ok());
  CHECK(by_band->size() == 2);  // Exposures 100 and 200 use HSC-R, whose band is r.
  auto typed = v.QueryDimensionRecords("detector", *engine::WhereClause::Parse("detector = 'x'"));
  CHECK(Says(typed.status(), "detector is int"));
}

TEST_CASE("Data IDs come from joined dimension records", "[engine][dimensions]") {
  testutil::RegistryFixture f;
  auto v = f.View();
  auto ids = v.QueryDataIds({"exposure", "detector"},
                            *engine::WhereClause::Parse("exposure.observation_type = science"));
  REQUIRE(ids.ok());
  CHECK(ids->size() == 2 * 4);
  auto few = v.QueryDataIds({"detector"}, *engine::WhereClause::Parse("detector IN (1..2)"));
  REQUIRE(few.ok());
  CHECK(few->size() == 2);
}

TEST_CASE("An implied dimension takes the value its record names, not every value",
          "[engine][dimensions]") {
  testutil::RegistryFixture f;
  auto v = f.View();
  // Exposure 101 was taken through HSC-I: one row, not one per filter.
  auto one = v.QueryDataIds({"exposure", "physical_filter"},
                            *engine::WhereClause::Parse("exposure = 101"));
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK(std::get<std::string>(one->front().at("physical_filter")) == "HSC-I");
  // HSC-R implies band r, and only r.
  auto bands = v.QueryDataIds({"physical_filter", "band"},
                              *engine::WhereClause::Parse("physical_filter = 'HSC-R'"));
  REQUIRE(bands.ok());
  REQUIRE(bands->size() == 1);
  CHECK(std::get<std::string>(bands->front().at("band")) == "r");
  // Every exposure with its own filter and band: three rows.
  auto all = v.QueryDataIds({"exposure", "physical_filter", "band"}, {});
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
}

TEST_CASE("A packer takes its bounds from the instrument's record", "[engine][dimensions]") {
  testutil::RegistryFixture f;
  const codec::FieldMap hsc = {{"instrument", S("HSC")}};
  auto packer = f.View().MakePacker({"exposure", "detector"}, hsc);
  REQUIRE(packer.ok());
  // detector_max 111 and exposure_max 9,999,999: 1,109,999,889 values, 31 bits.
  CHECK(packer->bits() == 31);
  auto id = testutil::RegistryFixture::RawId(101, 3);
  const uint64_t packed = *packer->Pack(id);
  CHECK(packed == 3 + 111 * uint64_t{101});
  CHECK(*packer->Unpack(packed) == id);
  // Packing is per instrument: a string key must be fixed, to one that exists.
  CHECK(Says(f.View().MakePacker({"exposure", "detector"}, {}).status(), "per instrument"));
  CHECK(f.View().MakePacker({"exposure"}, {{"instrument", S("NoSuch")}}).status().IsNotFound());
  CHECK(f.View().MakePacker({"detector"}, {{"band", S("r")}}).status().IsInvalidArgument());

  // Stable for the life of the repository: another instrument, with larger
  // bounds, changes nothing about HSC's packing.
  REQUIRE(f.store()
              .Append(InsertDimensionRecords{"instrument",
                                             {{{"instrument", S("LSSTCam")},
                                               {"detector_max", int64_t{1000}},
                                               {"exposure_max", int64_t{1} << 40}}},
                                             false},
                      "tester")
              .ok());
  auto again = f.View().MakePacker({"exposure", "detector"}, hsc);
  REQUIRE(again.ok());
  CHECK(again->bits() == 31);
  CHECK(*again->Pack(id) == packed);
  auto lsst = f.View().MakePacker({"exposure", "detector"}, {{"instrument", S("LSSTCam")}});
  REQUIRE(lsst.ok());
  CHECK(lsst->bits() == 50);
}

TEST_CASE("Record values are valid UTF-8, without control characters, at most 64 KiB",
          "[engine][dimensions][text]") {
  testutil::RegistryFixture f;
  const auto exposure = [](std::string target) {
    return InsertDimensionRecords{"exposure",
                                  {{{"instrument", S("HSC")},
                                    {"exposure", int64_t{300}},
                                    {"physical_filter", S("HSC-R")},
                                    {"observation_type", S("science")},
                                    {"target_name", std::move(target)}}},
                                  false};
  };
  const std::pair<std::string, std::string> bad[] = {
      {std::string("M\0"
                   "31",
                   4),
       "control character at byte offset 1"},
      {"M31\n", "control character at byte offset 3"},
      {"\x1b]0;owned\x07", "control character at byte offset 0"},
      {"M\xc3"
       "31",
       "not valid UTF-8 (byte offset 1)"},
      {std::string(1 << 20, 'x'), "1048576 bytes; the limit is 65536"}};
  for (const auto& [value, says] : bad) {
    INFO(says);
    auto s = f.TryAppend(exposure(value));
    CHECK(s.IsInvalidArgument());
    CHECK(Says(s, "exposure.target_name"));
    CHECK(Says(s, says));
  }
  CHECK(f.TryAppend(exposure("M31 \xe2\x80\x94 Andromeda")).ok());
  CHECK(f.TryAppend(exposure(std::string(64 << 10, 'x'))).IsConflict());  // Fits; exists.
}

TEST_CASE("A data ID may carry implied keys its records agree with, as the butler's",
          "[engine][dimensions]") {
  testutil::RegistryFixture f;
  const codec::Uuid id = f.AddRaw("HSC/raw/all", 101, 3);
  auto with = [](codec::FieldMap data_id, const std::string& key, const std::string& value) {
    data_id[key] = value;
    return data_id;
  };
  const FieldMap raw = testutil::RegistryFixture::RawId(101, 3);
  // Exposure 101 was taken through HSC-I, whose band is i.
  for (const FieldMap& given : {with(raw, "physical_filter", "HSC-I"), with(raw, "band", "i"),
                                with(with(raw, "physical_filter", "HSC-I"), "band", "i")}) {
    auto found = f.View().FindDataset("raw", given, {"HSC/raw/all"});
    INFO(codec::FieldMapToString(given));
    REQUIRE(found.ok());
    CHECK(found->id == id);
    CHECK(found->data_id == raw);  // Standardized to the required keys.
  }
  auto wrong_filter =
      f.View().FindDataset("raw", with(raw, "physical_filter", "HSC-R"), {"HSC/raw/all"});
  CHECK(Says(wrong_filter.status(), "its records say physical_filter=HSC-I"));
  auto wrong_band = f.View().FindDataset("raw", with(raw, "band", "r"), {"HSC/raw/all"});
  CHECK(Says(wrong_band.status(), "its records say band=i"));
  // A key neither required nor implied is refused as before.
  FieldMap visit = raw;
  visit["visit"] = int64_t{1};
  CHECK(f.View().FindDataset("raw", visit, {"HSC/raw/all"}).status().IsInvalidArgument());
}
