#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::RegisterDatasetType;

TEST_CASE("Registering an identical dataset type is a no-op", "[engine][types]") {
  testutil::RegistryFixture f;
  const uint64_t before = f.head();
  f.Append(RegisterDatasetType{"raw", {"detector", "exposure", "instrument"}, "Exposure", false});
  CHECK(f.head() == before);
}

TEST_CASE("Registering a dataset type again with another definition is refused",
          "[engine][types]") {
  testutil::RegistryFixture f;
  auto dims =
      f.TryAppend(RegisterDatasetType{"raw", {"instrument", "detector"}, "Exposure", false});
  CHECK(dims.IsConflict());
  CHECK(Says(dims, "already registered as {detector, exposure, instrument} Exposure"));
  CHECK(f.TryAppend(
             RegisterDatasetType{"raw", {"instrument", "exposure", "detector"}, "Image", false})
            .IsConflict());
  CHECK(f.TryAppend(
             RegisterDatasetType{"raw", {"instrument", "exposure", "detector"}, "Exposure", true})
            .IsConflict());
}

TEST_CASE("Dimensions that name the same data IDs are the same definition, as the butler's groups",
          "[engine][types]") {
  testutil::RegistryFixture f;
  const auto& u = f.View().universe();
  using Dims = std::vector<std::string>;
  // Required dependencies join, what another implies goes.
  CHECK(u.NormalizeDimensions({"tract", "patch"}).value() == Dims{"patch", "skymap", "tract"});
  CHECK(u.NormalizeDimensions({"instrument", "detector", "physical_filter", "band"}).value() ==
        Dims{"detector", "instrument", "physical_filter"});
  CHECK(u.NormalizeDimensions({"exposure", "detector", "band", "physical_filter"}).value() ==
        Dims{"detector", "exposure", "instrument"});
  CHECK(u.NormalizeDimensions({"band"}).value() == Dims{"band"});
  CHECK(u.NormalizeDimensions({"nonsense"}).status().IsInvalidArgument());
  // Registered with its implied band, a flat is the flat the fixture
  // registered without.
  const uint64_t before = f.head();
  f.Append(RegisterDatasetType{
      "flat", {"instrument", "detector", "physical_filter"}, "ExposureF", true});
  f.Append(RegisterDatasetType{
      "flat", {"instrument", "detector", "physical_filter", "band"}, "ExposureF", true});
  f.Append(RegisterDatasetType{"deep", {"tract", "patch"}, "ExposureF", false});
  f.Append(RegisterDatasetType{"deep", {"skymap", "tract", "patch"}, "ExposureF", false});
  CHECK(f.head() == before + 1);  // Only "deep" is new.
  // Another group is still another definition.
  CHECK(f.TryAppend(
             RegisterDatasetType{"flat", {"instrument", "detector", "band"}, "ExposureF", true})
            .IsConflict());
}

TEST_CASE("Dataset type definitions are checked", "[engine][types]") {
  testutil::RegistryFixture f;
  CHECK(
      Says(f.TryAppend(RegisterDatasetType{"calexp", {"instrument", "colour"}, "ExposureF", false}),
           "unknown dimension 'colour'"));
  CHECK(Says(f.TryAppend(RegisterDatasetType{"calexp.wcs", {"instrument"}, "Wcs", false}),
             "names a component"));
  CHECK(f.TryAppend(RegisterDatasetType{"1calexp", {"instrument"}, "ExposureF", false})
            .IsInvalidArgument());
  CHECK(f.TryAppend(RegisterDatasetType{"calexp", {"instrument"}, "", false}).IsInvalidArgument());
  CHECK(f.TryAppend(RegisterDatasetType{"calexp", {"detector", "detector"}, "X", false})
            .IsInvalidArgument());
}

TEST_CASE("A dataset type with datasets cannot be removed", "[engine][types]") {
  testutil::RegistryFixture f;
  const codec::Uuid raw = f.AddRaw("HSC/raw/all", 100, 1);
  auto refused = f.TryAppend(codec::RemoveDatasetType{"raw"});
  CHECK(refused.IsConflict());
  CHECK(Says(refused, "still has datasets (e.g. in 'HSC/raw/all')"));
  f.Append(codec::RemoveDatasets{{raw}});
  f.Append(codec::RemoveDatasetType{"raw"});
  CHECK(f.View().GetDatasetType("raw").status().IsNotFound());
  // Removing it again does nothing and appends nothing, as in Gen3.
  const uint64_t head = f.head();
  CHECK(f.TryAppend(codec::RemoveDatasetType{"raw"}).ok());
  CHECK(f.head() == head);
}

TEST_CASE("A dataset type may not have the name of a dimension", "[engine][types]") {
  testutil::RegistryFixture f;
  for (const char* name : {"instrument", "skymap", "exposure"}) {
    auto refused = f.TryAppend(RegisterDatasetType{name, {"instrument"}, "Exposure", false});
    CHECK(refused.IsInvalidArgument());
    CHECK(Says(refused, "has the name of a dimension"));
  }
}

TEST_CASE("Components are addressed as type.component", "[engine][types]") {
  testutil::RegistryFixture f;
  auto component = f.View().GetDatasetType("bias.wcs");
  REQUIRE(component.ok());
  CHECK(component->name == "bias.wcs");
  CHECK(component->is_calibration);
  CHECK(component->dimensions == std::vector<std::string>{"detector", "instrument"});
  CHECK(f.TryAppend(codec::RemoveDatasetType{"bias.wcs"}).IsInvalidArgument());
  CHECK(f.View().GetDatasetType("nothing.wcs").status().IsNotFound());
}

TEST_CASE("A component its storage class lacks is an error, not the parent", "[engine][types]") {
  testutil::RegistryFixture f;
  auto nonsense = f.View().GetDatasetType("raw.nonsense");
  CHECK(nonsense.status().IsNotFound());
  CHECK(Says(nonsense.status(), "has no component 'nonsense'"));
  CHECK(Says(nonsense.status(), "wcs"));  // It names those there are.
  auto wcs = f.View().GetDatasetType("raw.wcs");
  REQUIRE(wcs.ok());
  CHECK(wcs->storage_class == "Wcs");
  f.Append(RegisterDatasetType{"config", {}, "Config", false});
  CHECK(Says(f.View().GetDatasetType("config.wcs").status(), "it has no components"));
  // Listed on request, after their parent.
  auto listed = f.View().QueryDatasetTypes({"raw"}, /*components=*/true);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() > 3);
  CHECK((*listed)[0].name == "raw");
  CHECK((*listed)[1].name == "raw.image");
  auto plain = f.View().QueryDatasetTypes({"raw"});
  REQUIRE(plain.ok());
  CHECK(plain->size() == 1);
  auto only_wcs = f.View().QueryDatasetTypes({"*.wcs"}, true);
  REQUIRE(only_wcs.ok());
  for (const auto& t : *only_wcs) CHECK(t.name.find(".wcs") != std::string::npos);
}

TEST_CASE("Dataset types are listed by glob", "[engine][types]") {
  testutil::RegistryFixture f;
  auto all = f.View().QueryDatasetTypes({});
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
  auto some = f.View().QueryDatasetTypes({"b*", "fl?t"});
  REQUIRE(some.ok());
  REQUIRE(some->size() == 2);
  CHECK((*some)[0].name == "bias");
  CHECK((*some)[1].name == "flat");
}

TEST_CASE("A relation is no dimension of a dataset type", "[engine][types]") {
  testutil::RegistryFixture f;
  auto s = f.TryAppend(RegisterDatasetType{"odd", {"visit_definition"}, "Exposure", false});
  CHECK(s.IsInvalidArgument());
  CHECK(std::string(s.message()).find("relates dimensions") != std::string::npos);
}
