#include "tests/testutil/registry_fixture.h"

#include <catch2/catch.hpp>

#include "starlog/engine/dataset_ids.h"

namespace starlog::testutil {

using codec::CollectionType;
using codec::FieldMap;

namespace {

std::string S(const char* s) { return s; }

}  // namespace

RegistryFixture::RegistryFixture() {
  engine::CreateOptions options;
  options.store.sync = false;
  options.actor = "tester";
  auto store = engine::EventStore::Create(dir_.path(), options);
  REQUIRE(store.ok());
  store_ = std::move(store).value();
  Append(codec::InsertDimensionRecords{"instrument",
                                       {{{"instrument", S("HSC")},
                                         {"class_name", S("lsst.obs.subaru.HyperSuprimeCam")},
                                         {"detector_max", int64_t{111}},
                                         {"exposure_max", int64_t{9'999'999}}}},
                                       false});
  Append(codec::InsertDimensionRecords{"band", {{{"band", S("r")}}, {{"band", S("i")}}}, false});
  Append(codec::InsertDimensionRecords{
      "physical_filter",
      {{{"instrument", S("HSC")}, {"physical_filter", S("HSC-R")}, {"band", S("r")}},
       {{"instrument", S("HSC")}, {"physical_filter", S("HSC-I")}, {"band", S("i")}}},
      false});
  codec::InsertDimensionRecords detectors{"detector", {}, false};
  for (int64_t d = 0; d < 4; ++d) {
    detectors.records.push_back(
        {{"instrument", S("HSC")}, {"detector", d}, {"full_name", "ccd" + std::to_string(d)}});
  }
  Append(detectors);
  Append(codec::InsertDimensionRecords{"day_obs",
                                       {{{"instrument", S("HSC")}, {"day_obs", int64_t{20240301}}},
                                        {{"instrument", S("HSC")}, {"day_obs", int64_t{20240302}}}},
                                       false});
  Append(codec::InsertDimensionRecords{"exposure",
                                       {{{"instrument", S("HSC")},
                                         {"exposure", int64_t{100}},
                                         {"physical_filter", S("HSC-R")},
                                         {"day_obs", int64_t{20240301}},
                                         {"observation_type", S("science")}},
                                        {{"instrument", S("HSC")},
                                         {"exposure", int64_t{101}},
                                         {"physical_filter", S("HSC-I")},
                                         {"day_obs", int64_t{20240302}},
                                         {"observation_type", S("science")}},
                                        {{"instrument", S("HSC")},
                                         {"exposure", int64_t{200}},
                                         {"physical_filter", S("HSC-R")},
                                         {"day_obs", int64_t{20240301}},
                                         {"observation_type", S("bias")}}},
                                       false});
  Append(
      codec::RegisterDatasetType{"raw", {"instrument", "exposure", "detector"}, "Exposure", false});
  Append(codec::RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true});
  Append(codec::RegisterDatasetType{
      "flat", {"instrument", "detector", "physical_filter"}, "ExposureF", true});
  CreateCollection("HSC/raw/all", CollectionType::kRun);
}

void RegistryFixture::Reopen() {
  store_.reset();
  engine::StoreOptions options;
  options.sync = false;
  auto store = engine::EventStore::Open(dir_.path(), options);
  REQUIRE(store.ok());
  store_ = std::move(store).value();
}

engine::Head RegistryFixture::Append(codec::EventBody body, const std::string& actor) {
  auto head = store_->Append(std::move(body), actor);
  INFO(head.status().ToString());
  REQUIRE(head.ok());
  return *head;
}

Status RegistryFixture::TryAppend(codec::EventBody body, const std::string& actor) {
  const engine::Head before = store_->head();
  auto head = store_->Append(std::move(body), actor);
  if (!head.ok()) {
    const engine::Head after = store_->head();
    REQUIRE(after.sequence == before.sequence);
    REQUIRE(after.chain_hash == before.chain_hash);
    REQUIRE(after.state_digest == before.state_digest);
  }
  return head.status();
}

engine::RegistryView RegistryFixture::View(uint64_t as_of) {
  auto view = store_->View(as_of);
  REQUIRE(view.ok());
  return std::move(view).value();
}

void RegistryFixture::CreateCollection(const std::string& name, CollectionType type) {
  Append(codec::CreateCollection{name, type, ""});
}

void RegistryFixture::SetChain(const std::string& name, const std::vector<std::string>& children) {
  Append(codec::SetChain{name, children});
}

FieldMap RegistryFixture::RawId(int64_t exposure, int64_t detector) {
  return {{"instrument", S("HSC")}, {"exposure", exposure}, {"detector", detector}};
}

FieldMap RegistryFixture::BiasId(int64_t detector) {
  return {{"instrument", S("HSC")}, {"detector", detector}};
}

codec::Uuid RegistryFixture::AddRaw(const std::string& run, int64_t exposure, int64_t detector) {
  const FieldMap id = RawId(exposure, detector);
  const codec::Uuid uuid = engine::DeterministicDatasetId("raw", id, run);
  Append(codec::RegisterDatasets{run, "raw", {codec::DatasetEntry{uuid, id, std::nullopt}}});
  return uuid;
}

codec::Uuid RegistryFixture::AddBias(const std::string& run, int64_t detector) {
  const FieldMap id = BiasId(detector);
  const codec::Uuid uuid = engine::DeterministicDatasetId("bias", id, run);
  Append(codec::RegisterDatasets{run, "bias", {codec::DatasetEntry{uuid, id, std::nullopt}}});
  return uuid;
}

}  // namespace starlog::testutil
