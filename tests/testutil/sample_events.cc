#include "tests/testutil/sample_events.h"

namespace starlog::testutil {

using namespace starlog::codec;

Uuid UuidOf(uint8_t b) {
  Uuid u;
  u.bytes.fill(b);
  return u;
}

std::vector<Event> SampleEvents() {
  const FieldMap raw_id = {
      {"instrument", std::string("HSC")}, {"detector", int64_t{50}}, {"exposure", int64_t{903334}}};
  const Artifact file{"HSC/raw/all/raw/20240301/HSC-903334-050.fits", 18'432'000,
                      Hash128{0x1122334455667788, 0x99aabbccddeeff00}};
  std::vector<EventBody> bodies = {
      InitRepository{UuidOf(0x42), 1, "universe text"},
      CreateCollection{"HSC/raw/all", CollectionType::kRun, "all raws"},
      RemoveCollection{"u/alice/scratch", true},
      SetChain{"HSC/defaults", {"HSC/raw/all", "HSC/calib", "refcats", "skymaps"}},
      RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true},
      RemoveDatasetType{"calexp.wcs"},
      InsertDimensionRecords{"exposure",
                             {{{"instrument", std::string("HSC")},
                               {"id", int64_t{903334}},
                               {"physical_filter", std::string("HSC-R")},
                               {"observation_type", std::string("science")}}},
                             true},
      RegisterDatasets{
          "HSC/raw/all",
          "raw",
          {DatasetEntry{UuidOf(1), raw_id, file}, DatasetEntry{UuidOf(2), raw_id, {}}}},
      RemoveDatasets{{UuidOf(3), UuidOf(4)}},
      AttachArtifacts{{ArtifactEntry{UuidOf(5), file}}},
      DetachArtifacts{{UuidOf(6)}},
      Tag{"HSC/raw/DM-100", {UuidOf(7)}},
      Untag{"HSC/raw/DM-100", {UuidOf(8), UuidOf(9)}},
      Certify{"HSC/calib/DM-1",
              "bias",
              {CertifyEntry{UuidOf(10), Timespan{100, 200}},
               CertifyEntry{UuidOf(11), Timespan{200, kUnboundedEnd}}}},
      Decertify{"HSC/calib/DM-1", "bias", {raw_id}, Timespan{kUnboundedBegin, 150}},
      CreateSnapshot{"DM-1-inputs", 12345},
      SetPolicy{{PolicyRole{"operators", {"alice", "bob"}}},
                {PolicyRule{"HSC/raw/*", {"operators"}}}},
  };
  std::vector<Event> events;
  uint64_t seq = 1;
  for (auto& body : bodies) {
    events.push_back(Event{seq, 1'700'000'000'000'000'000 + static_cast<int64_t>(seq),
                           seq % 2 ? "alice" : "bob", std::move(body),
                           // Some submitted for their actor by another user.
                           seq % 3 == 0 ? "operator" : ""});
    ++seq;
  }
  return events;
}

}  // namespace starlog::testutil
