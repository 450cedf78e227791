#include <catch2/catch.hpp>

#include "tests/engine/registry_test_util.h"
#include "tests/testutil/registry_fixture.h"

using namespace starlog;
using codec::CollectionType;

TEST_CASE("Collections carry a type and a documentation string", "[engine][collections]") {
  testutil::RegistryFixture f;
  f.Append(codec::CreateCollection{"HSC/calib", CollectionType::kChained, "recommended calibs"});
  auto c = f.View().GetCollection("HSC/calib");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->type == CollectionType::kChained);
  CHECK((*c)->doc == "recommended calibs");
  // Same type, new doc: an update. Another type: refused.
  f.Append(codec::CreateCollection{"HSC/calib", CollectionType::kChained, "new words"});
  CHECK((*f.View().GetCollection("HSC/calib"))->doc == "new words");
  CHECK(f.TryAppend(codec::CreateCollection{"HSC/calib", CollectionType::kRun, ""}).IsConflict());
}

TEST_CASE("Collections are listed by glob and type", "[engine][collections]") {
  testutil::RegistryFixture f;
  f.CreateCollection("HSC/calib", CollectionType::kChained);
  f.CreateCollection("HSC/calib/DM-1", CollectionType::kCalibration);
  f.CreateCollection("refcats", CollectionType::kChained);
  auto hsc = f.View().QueryCollections({"HSC/*"});
  REQUIRE(hsc.ok());
  CHECK(hsc->size() == 3);
  auto chains = f.View().QueryCollections({}, {CollectionType::kChained});
  REQUIRE(chains.ok());
  REQUIRE(chains->size() == 2);
  CHECK((*chains)[0].name == "HSC/calib");
  CHECK((*chains)[1].name == "refcats");
  CHECK(f.View().QueryCollections({"HSC/[calib"}).status().IsInvalidArgument());
}

TEST_CASE("A RUN with datasets goes only with them, when asked", "[engine][collections]") {
  testutil::RegistryFixture f;
  f.CreateCollection("HSC/raw/DM-7", CollectionType::kTagged);
  f.CreateCollection("HSC/calib/DM-1", CollectionType::kCalibration);
  f.CreateCollection("run/a", CollectionType::kRun);
  const codec::Uuid raw = f.AddRaw("run/a", 100, 0);
  const codec::Uuid bias = f.AddBias("run/a", 0);
  f.Append(codec::Tag{"HSC/raw/DM-7", {raw}});
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{bias, {0, 100}}}});

  auto refused = f.TryAppend(codec::RemoveCollection{"run/a", false});
  CHECK(refused.IsConflict());
  CHECK(Says(refused, "holds datasets"));

  f.Append(codec::RemoveCollection{"run/a", true});
  auto v = f.View();
  CHECK_FALSE(v.GetCollection("run/a")->has_value());
  CHECK_FALSE(v.GetDataset(raw)->has_value());
  CHECK(v.QueryDatasets({"raw", {"HSC/raw/DM-7"}, {}, false, std::nullopt})->empty());
  CHECK(v.QueryDatasets({"bias", {"HSC/calib/DM-1"}, {}, false, std::nullopt})->empty());
  // The TAGGED and CALIBRATION collections themselves remain.
  CHECK(v.GetCollection("HSC/raw/DM-7")->has_value());
  CHECK(f.TryAppend(codec::RemoveCollection{"HSC/raw/DM-7", true}).IsInvalidArgument());
}

TEST_CASE("A collection in a chain cannot be removed, the error names the chain",
          "[engine][collections]") {
  testutil::RegistryFixture f;
  f.CreateCollection("HSC/defaults", CollectionType::kChained);
  f.SetChain("HSC/defaults", {"HSC/raw/all"});
  auto refused = f.TryAppend(codec::RemoveCollection{"HSC/raw/all", true});
  CHECK(refused.IsConflict());
  CHECK(Says(refused, "referenced by chain 'HSC/defaults'"));
  f.SetChain("HSC/defaults", {});
  f.Append(codec::RemoveCollection{"HSC/raw/all", false});
  CHECK(f.TryAppend(codec::RemoveCollection{"HSC/raw/all", false}).IsNotFound());
}

TEST_CASE("Removing a chain frees its children", "[engine][collections]") {
  testutil::RegistryFixture f;
  f.CreateCollection("outer", CollectionType::kChained);
  f.SetChain("outer", {"HSC/raw/all"});
  f.Append(codec::RemoveCollection{"outer", false});
  f.Append(codec::RemoveCollection{"HSC/raw/all", false});
}

TEST_CASE("Chains are defined over existing collections without cycles", "[engine][chains]") {
  testutil::RegistryFixture f;
  f.CreateCollection("a", CollectionType::kChained);
  f.CreateCollection("b", CollectionType::kChained);
  f.CreateCollection("c", CollectionType::kChained);
  f.SetChain("a", {"b"});
  f.SetChain("b", {"c"});
  auto cycle = f.TryAppend(codec::SetChain{"c", {"HSC/raw/all", "a"}});
  CHECK(cycle.IsConflict());
  CHECK(Says(cycle, "c -> a -> b -> c"));
  CHECK(Says(f.TryAppend(codec::SetChain{"a", {"a"}}), "cannot contain itself"));
  CHECK(Says(f.TryAppend(codec::SetChain{"a", {"nope"}}), "no collection 'nope'"));
  CHECK(Says(f.TryAppend(codec::SetChain{"a", {"b", "b"}}), "twice"));
  CHECK(Says(f.TryAppend(codec::SetChain{"HSC/raw/all", {"a"}}), "needs a CHAINED collection"));
}

TEST_CASE("Nested chains flatten in order, each collection once", "[engine][chains]") {
  testutil::RegistryFixture f;
  for (const char* run : {"r1", "r2", "r3"}) f.CreateCollection(run, CollectionType::kRun);
  f.CreateCollection("inner", CollectionType::kChained);
  f.CreateCollection("outer", CollectionType::kChained);
  f.SetChain("inner", {"r2", "r1"});
  f.SetChain("outer", {"r3", "inner", "r1", "HSC/raw/all"});
  auto path = f.View().ResolveSearchPath({"outer"});
  REQUIRE(path.ok());
  CHECK(*path == std::vector<std::string>{"r3", "r2", "r1", "HSC/raw/all"});
  auto globbed = f.View().ResolveSearchPath({"r[12]", "outer"});
  REQUIRE(globbed.ok());
  CHECK(*globbed == std::vector<std::string>{"r1", "r2", "r3", "HSC/raw/all"});
  CHECK(f.View().ResolveSearchPath({"missing"}).status().IsNotFound());
}

TEST_CASE("A view as of an earlier event sees the chain as it was", "[engine][chains]") {
  testutil::RegistryFixture f;
  for (const char* run : {"r1", "r2"}) f.CreateCollection(run, CollectionType::kRun);
  f.CreateCollection("chain", CollectionType::kChained);
  const uint64_t at_r1 = f.Append(codec::SetChain{"chain", {"r1"}}).sequence;
  f.SetChain("chain", {"r2", "r1"});
  CHECK(*f.View(at_r1).ResolveSearchPath({"chain"}) == std::vector<std::string>{"r1"});
  CHECK(*f.View().ResolveSearchPath({"chain"}) == std::vector<std::string>{"r2", "r1"});
  CHECK(f.store().View(f.head() + 1).status().IsInvalidArgument());
}

TEST_CASE("Docs, storage classes and actors are checked text", "[engine][collections][text]") {
  testutil::RegistryFixture f;
  CHECK(f.TryAppend(codec::CreateCollection{"a", CollectionType::kRun, "two\nlines\tok"}).ok());
  auto esc = f.TryAppend(codec::CreateCollection{"b", CollectionType::kRun, "\x1b[2J"});
  CHECK(esc.IsInvalidArgument());
  CHECK(Says(esc, "doc of collection 'b'"));
  CHECK(Says(esc, "byte offset 0"));
  auto utf8 = f.TryAppend(codec::CreateCollection{"b", CollectionType::kRun, "ok \xff"});
  CHECK(Says(utf8, "not valid UTF-8 (byte offset 3)"));
  CHECK(f.TryAppend(codec::CreateCollection{"b", CollectionType::kRun, std::string(65 << 10, 'd')})
            .IsInvalidArgument());
  auto storage =
      f.TryAppend(codec::RegisterDatasetType{"calexp", {"instrument"}, "Exposure\xc0", false});
  CHECK(storage.IsInvalidArgument());
  CHECK(Says(storage, "storage class of dataset type 'calexp'"));
  auto actor = f.TryAppend(codec::CreateCollection{"c", CollectionType::kRun, ""}, "eve\r\nadmin");
  CHECK(actor.IsInvalidArgument());
  CHECK(Says(actor, "actor"));
}

TEST_CASE("A collection's dataset types are exactly those it holds, as of any point",
          "[engine][collections]") {
  testutil::RegistryFixture f;
  f.CreateCollection("HSC/raw/DM-7", CollectionType::kTagged);
  f.CreateCollection("HSC/calib/DM-1", CollectionType::kCalibration);
  f.CreateCollection("run/a", CollectionType::kRun);
  f.CreateCollection("run/b", CollectionType::kRun);
  f.CreateCollection("chain", CollectionType::kChained);
  f.SetChain("chain", {"HSC/raw/DM-7", "HSC/calib/DM-1", "run/b"});
  std::vector<codec::Uuid> raws;
  for (int64_t d = 1; d <= 3; ++d) raws.push_back(f.AddRaw("run/a", 100, d));
  const codec::Uuid bias = f.AddBias("run/a", 0);
  CHECK(f.View().DatasetTypesIn({"run/a"}).value() == std::vector<std::string>{"bias", "raw"});
  CHECK(f.View().DatasetTypesIn({"chain"}).value().empty());
  f.Append(codec::Tag{"HSC/raw/DM-7", {raws[0]}});
  f.Append(codec::Certify{"HSC/calib/DM-1", "bias", {{bias, {0, 100}}}});
  const uint64_t both = f.store().head().sequence;
  CHECK(f.View().DatasetTypesIn({"chain"}).value() == std::vector<std::string>{"bias", "raw"});
  CHECK(f.View().DatasetTypesIn({"HSC/raw/DM-7"}).value() == std::vector<std::string>{"raw"});
  CHECK(f.View().DatasetTypesIn({"run/*"}).value() == std::vector<std::string>{"bias", "raw"});
  // Untagged: the type goes, exactly (the butler's summaries may keep it).
  f.Append(codec::Untag{"HSC/raw/DM-7", {raws[0]}});
  CHECK(f.View().DatasetTypesIn({"chain"}).value() == std::vector<std::string>{"bias"});
  CHECK(f.store().View(both).value().DatasetTypesIn({"chain"}).value() ==
        std::vector<std::string>{"bias", "raw"});
  CHECK(f.View().DatasetTypesIn({"nope"}).status().IsNotFound());
}
