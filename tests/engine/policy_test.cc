// The access policy: every rule, and attempts to get around it, each refused
// with the rule named and nothing changed; and the same verdicts on replay.

#include "starlog/engine/policy.h"

#include <catch2/catch.hpp>
#include <map>

#include "starlog/codec/event_codec.h"
#include "starlog/engine/conventions.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "tests/engine/registry_test_util.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;
using codec::CollectionType;

namespace {

struct Policed {
  Policed() : store(CreatePoliced(dir.path())) {}
  Status As(const Actor& actor, codec::EventBody body) {
    const Head before = store->head();
    auto h = store->Append(std::move(body), actor);
    if (!h.ok()) {
      // A refusal changes nothing.
      REQUIRE(store->head().sequence == before.sequence);
      REQUIRE(store->head().chain_hash == before.chain_hash);
    }
    return h.status();
  }
  void Ok(const Actor& actor, codec::EventBody body) {
    const Status s = As(actor, std::move(body));
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  static codec::CreateCollection Run(const std::string& name) {
    return {name, CollectionType::kRun, ""};
  }
  void Grant(const std::string& role, const std::string& user) {
    codec::SetPolicy p = *store->View()->Policy().value();
    bool found = false;
    for (auto& r : p.roles) {
      if (r.name == role) {
        r.users.push_back(user);
        found = true;
      }
    }
    if (!found) p.roles.push_back({role, {user}});
    Ok("boss", p);
  }
  testutil::TempDir dir;
  std::unique_ptr<EventStore> store;
};

}  // namespace

TEST_CASE("A new repository's policy is DMTN-167's, set by event 2", "[policy]") {
  Policed r;
  CHECK(r.store->head().sequence == 2);
  auto policy = r.store->View()->Policy().value();
  REQUIRE(policy.has_value());
  CHECK(HasRole(*policy, "boss", kAdminRole));
  CHECK(CheckCollectionWrite(*policy, "boss", "HSC/raw/all").ok());
  CHECK(CheckCollectionWrite(*policy, "alice", "u/alice/DM-1/run").ok());
  CHECK(ParsePolicy(FormatPolicy(*policy)).value() == *policy);
}

TEST_CASE("Personal collections are their owner's alone", "[policy]") {
  Policed r;
  r.Ok("alice", Policed::Run("u/alice/scratch"));
  Status s = r.As("bob", Policed::Run("u/alice/other"));
  CHECK(s.IsPermissionDenied());
  CHECK(Says(s, "u/alice/... is writable by alice only"));
  // Not even by an admin, and not by removing it.
  CHECK(r.As("boss", codec::RemoveCollection{"u/alice/scratch", false}).IsPermissionDenied());
  CHECK(r.As("bob", codec::RemoveCollection{"u/alice/scratch", false}).IsPermissionDenied());
  // Nor by writing datasets into it, or removing them.
  r.Ok("boss", codec::RegisterDatasetType{"thing", {"instrument"}, "Blob", false});
  r.Ok("boss",
       codec::InsertDimensionRecords{"instrument", {{{"instrument", std::string("HSC")}}}, false});
  const codec::FieldMap id = {{"instrument", std::string("HSC")}};
  const codec::Uuid uuid = DeterministicDatasetId("thing", id, "u/alice/scratch");
  CHECK(r.As("bob", codec::RegisterDatasets{"u/alice/scratch", "thing", {{uuid, id, std::nullopt}}})
            .IsPermissionDenied());
  r.Ok("alice", codec::RegisterDatasets{"u/alice/scratch", "thing", {{uuid, id, std::nullopt}}});
  CHECK(r.As("bob", codec::RemoveDatasets{{uuid}}).IsPermissionDenied());
  CHECK(r.As("bob", codec::DetachArtifacts{{uuid}}).IsPermissionDenied());
  CHECK(r.As("bob", codec::AttachArtifacts{{{uuid, codec::Artifact{"x.fits", 1, {}}}}})
            .IsPermissionDenied());
  // Replacing a shared dimension record is an admin's job; inserting a new one is anyone's.
  CHECK(Says(r.As("alice",
                  codec::InsertDimensionRecords{
                      "instrument", {{{"instrument", std::string("HSC")}}}, true}),
             "only admins"));
  r.Ok("alice",
       codec::InsertDimensionRecords{"instrument", {{{"instrument", std::string("LSST")}}}, false});
  r.Ok("alice", codec::RemoveDatasets{{uuid}});
}

TEST_CASE("Shared collections follow the rules, a grant opens them, only admins change the policy",
          "[policy]") {
  Policed r;
  Status s = r.As("alice", Policed::Run("HSC/raw/all"));
  CHECK(s.IsPermissionDenied());
  CHECK(Says(s, "rule '*/raw/all' grants it to operators"));
  s = r.As("alice", Policed::Run("somewhere/else"));
  CHECK(Says(s, "no rule grants it"));
  CHECK(r.As("alice", DefaultPolicy("alice")).IsPermissionDenied());  // Not an admin.
  r.Grant("operators", "alice");
  r.Ok("alice", Policed::Run("HSC/raw/all"));
  // Operators do not write calibrations.
  s = r.As("alice", codec::CreateCollection{"HSC/calib/DM-1", CollectionType::kCalibration, ""});
  CHECK(Says(s, "rule '*/calib/*' grants it to cpp"));
  r.Grant("cpp", "carol");
  r.Ok("carol", codec::CreateCollection{"HSC/calib/DM-1", CollectionType::kCalibration, ""});
  // A tag into a shared TAGGED collection is a write to it.
  r.Ok("alice", codec::CreateCollection{"HSC/raw/DM-2", CollectionType::kTagged, ""});
  CHECK(r.As("carol", codec::Tag{"HSC/raw/DM-2", {}}).IsPermissionDenied());
  // Only admins remove dataset types or replace records; anyone registers types.
  r.Ok("dave", codec::RegisterDatasetType{"calexp", {"instrument"}, "ExposureF", false});
  CHECK(Says(r.As("alice", codec::RemoveDatasetType{"calexp"}), "only admins"));
  r.Ok("boss", codec::RemoveDatasetType{"calexp"});
  // A policy that would leave nobody able to change it is refused.
  codec::SetPolicy orphan = DefaultPolicy("boss");
  orphan.roles[0].users.clear();
  CHECK(Says(r.As("boss", orphan), "no admin"));
}

TEST_CASE("Getting around the rules does not work", "[policy]") {
  Policed r;
  r.Ok("alice", Policed::Run("u/alice/mine"));
  r.Grant("operators", "olga");
  r.Ok("olga", codec::CreateCollection{"HSC/defaults", CollectionType::kChained, ""});
  // A shared chain pointed at a personal collection, even by its owner's
  // colleague with rights on the chain, or by an admin.
  Status s = r.As("olga", codec::SetChain{"HSC/defaults", {"u/alice/mine"}});
  CHECK(s.IsPermissionDenied());
  CHECK(Says(s, "may not reference personal collection u/alice/mine"));
  CHECK(r.As("boss", codec::SetChain{"HSC/defaults", {"u/alice/mine"}}).IsPermissionDenied());
  // A personal chain may point anywhere.
  r.Ok("alice", codec::CreateCollection{"u/alice/chain", CollectionType::kChained, ""});
  r.Ok("alice", codec::SetChain{"u/alice/chain", {"u/alice/mine", "HSC/defaults"}});
  // Writing through someone else's chain: the chain itself is refused.
  CHECK(r.As("bob", codec::SetChain{"u/alice/chain", {"HSC/defaults"}}).IsPermissionDenied());
  // A rename-like remove and re-create: removal needs the same rights.
  CHECK(r.As("bob", codec::RemoveCollection{"HSC/defaults", false}).IsPermissionDenied());
  r.Ok("alice", codec::SetChain{"u/alice/chain", {"u/alice/mine"}});
  r.Ok("boss", codec::RemoveCollection{"HSC/defaults", false});
  CHECK(r.As("bob", codec::CreateCollection{"HSC/defaults", CollectionType::kChained, ""})
            .IsPermissionDenied());
}

TEST_CASE("A rebuild replays the policy's verdicts, a repository without one enforces nothing",
          "[policy]") {
  {
    Policed r;
    r.Ok("alice", Policed::Run("u/alice/a"));
    r.Grant("operators", "alice");
    r.Ok("alice", Policed::Run("HSC/raw/all"));
    const Head head = r.store->head();
    const std::string root = r.dir.path();
    r.store.reset();
    REQUIRE(EventStore::Rebuild(root, StoreOptions()).ok());
    auto again = std::move(EventStore::Open(root, StoreOptions())).value();
    CHECK(again->head().state_digest == head.state_digest);
  }
  testutil::TempDir dir;
  auto open = std::move(EventStore::Create(dir.path(), {})).value();
  CHECK(open->Append(Policed::Run("anything/goes"), "anyone").ok());
  CHECK_FALSE(open->View()->Policy().value().has_value());
}

TEST_CASE(
    "check-conventions reports names of the wrong type, names outside the scheme and shared "
    "chains into u/",
    "[policy][conventions]") {
  testutil::TempDir dir;
  auto store = std::move(EventStore::Create(dir.path(), {})).value();
  REQUIRE(store
              ->Append(
                  codec::InsertDimensionRecords{
                      "instrument", {{{"instrument", std::string("HSC")}}}, false},
                  "x")
              .ok());
  const std::vector<std::pair<std::string, CollectionType>> collections = {
      {"HSC/raw/all", CollectionType::kRun},
      {"HSC/raw", CollectionType::kRun},
      {"HSC/raw/DM-1", CollectionType::kTagged},
      {"HSC/calib/DM-1", CollectionType::kCalibration},
      {"HSC/calib/DM-1/bias", CollectionType::kRun},
      {"HSC/runs/RC2/w_01/DM-2", CollectionType::kRun},
      {"refcats/DM-3", CollectionType::kRun},
      {"skymaps", CollectionType::kRun},
      {"u/alice/x", CollectionType::kRun},
      {"scratch", CollectionType::kRun},
      {"HSC/defaults", CollectionType::kChained},
  };
  for (const auto& [name, type] : collections) {
    REQUIRE(store->Append(codec::CreateCollection{name, type, ""}, "x").ok());
  }
  REQUIRE(store->Append(codec::SetChain{"HSC/defaults", {"HSC/raw/all", "u/alice/x"}}, "x").ok());
  auto findings = CheckConventions(store->View().value()).value();
  std::map<std::string, std::string> problems;
  for (const auto& f : findings) problems[f.collection] += f.problem + ";";
  CHECK(problems.size() == 4);
  CHECK(problems["HSC/raw"].find("should be CHAINED") != std::string::npos);
  CHECK(problems["HSC/runs/RC2/w_01/DM-2"].find("should be CHAINED") != std::string::npos);
  CHECK(problems["scratch"].find("not a DMTN-167 name") != std::string::npos);
  CHECK(problems["HSC/defaults"].find("personal collection u/alice/x") != std::string::npos);
}

TEST_CASE("Role and user names in a policy are single printable words", "[engine][policy]") {
  Policed p;
  codec::SetPolicy policy = *p.store->View()->Policy().value();
  for (const std::string bad : {"eve\nrole admin eve", "eve,bob", "a b", "x#y", "\xff"}) {
    INFO(bad);
    codec::SetPolicy changed = policy;
    changed.roles[0].users.push_back(bad);
    CHECK(p.As("boss", changed).IsInvalidArgument());
  }
  // The stored policy still parses: later events are judged as before.
  p.Ok("boss", Policed::Run("refcats"));
}

TEST_CASE("Acting for another user needs the act-for role, uses their rights, and records both",
          "[policy]") {
  Policed r;
  const Actor for_alice("alice", "op");
  // No policy grants act-for by default: not even an admin acts for others.
  Status s = r.As(Actor("alice", "boss"), Policed::Run("u/alice/a"));
  CHECK(s.IsPermissionDenied());
  CHECK(std::string(s.message()).find("act-for") != std::string::npos);
  CHECK(r.As(for_alice, Policed::Run("u/alice/a")).IsPermissionDenied());

  r.Grant(kActForRole, "op");
  r.Ok(for_alice, Policed::Run("u/alice/a"));
  // The rights used are the actor's: op for alice cannot write u/bob/ nor
  // op's own u/op/.
  CHECK(r.As(for_alice, Policed::Run("u/bob/b")).IsPermissionDenied());
  CHECK(r.As(for_alice, Policed::Run("u/op/c")).IsPermissionDenied());
  // Acting for an admin needs being one.
  s = r.As(Actor("boss", "op"), Policed::Run("HSC/defaults"));
  CHECK(s.IsPermissionDenied());
  CHECK(std::string(s.message()).find("an admin") != std::string::npos);
  r.Grant(kActForRole, "boss");
  r.Ok(Actor("boss", "boss"), Policed::Run("u/boss/self"));  // Via oneself: plain.

  // The log records both, and a rebuild replays the same verdicts.
  auto log = r.store->ReadLog(1, 1000);
  REQUIRE(log.ok());
  int via_op = 0;
  for (const auto& record : *log) {
    auto event = codec::DecodeEventFrame(record.frame);
    REQUIRE(event.ok());
    if (event->via == "op") {
      CHECK(event->actor == "alice");
      ++via_op;
    }
  }
  CHECK(via_op == 1);
  const uint64_t head = r.store->head().sequence;
  r.store.reset();
  REQUIRE(EventStore::Rebuild(r.dir.path(), StoreOptions()).ok());
  auto again = EventStore::Open(r.dir.path(), StoreOptions());
  REQUIRE(again.ok());
  CHECK((*again)->head().sequence == head);
}
