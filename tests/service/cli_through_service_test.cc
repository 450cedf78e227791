// The CLI through the repository's service: a write command sends its edit
// to the service when one runs, with the same output and errors as local,
// and the actor is the OS user the socket names, whatever the command says.

#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "starlog/engine/policy.h"
#include "tests/cli/cli_runner.h"
#include "tests/service/service_fixture.h"

using namespace starlog;
using testutil::Contains;
using testutil::RunStarlog;
using testutil::ServedRepository;

namespace {

std::string OsUser() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr ? pw->pw_name : "";
}

// The same registry commands, with their outputs, for a repository with or
// without a service.
std::vector<std::string> Session(const std::string& repo, const std::string& scratch) {
  std::ofstream(scratch + "/i.csv") << "instrument\nHSC\n";
  std::ofstream(scratch + "/d.csv") << "instrument,detector\nHSC,1\nHSC,2\n";
  const std::vector<std::vector<std::string>> commands = {
      {"insert-dimension-records", repo, "instrument", scratch + "/i.csv"},
      {"insert-dimension-records", repo, "detector", scratch + "/d.csv"},
      {"register-dataset-type", repo, "bias", "ExposureF", "instrument", "detector"},
      {"create-collection", repo, "run1"},
      {"create-collection", repo, "run1"},  // Already so: nothing changes.
      {"register-datasets", repo, "bias", "run1", scratch + "/d.csv", "--id-mode", "datatype-run"},
      {"collection-chain", repo, "chain", "run1", "--mode", "prepend"},
      {"create-collection", repo, "tagged", "--type", "TAGGED"},
      {"associate", repo, "tagged", "--dataset-type", "bias", "--collections", "run1"},
      {"remove-runs", repo, "nope"},                // Refused: NotFound.
      {"collection-chain", repo, "run1", "chain"},  // Refused: not CHAINED.
      {"query-datasets", repo, "bias", "--collections", "chain"},
  };
  std::vector<std::string> outputs;
  for (const auto& c : commands) {
    auto r = RunStarlog(c);
    outputs.push_back(c[0] + " -> " + std::to_string(r.exit_code) + "\n" + r.out + r.err);
  }
  return outputs;
}

}  // namespace

TEST_CASE("CLI writes with and without a service give the same answers", "[service][cli]") {
  testutil::TempDir local_dir;
  const std::string local = local_dir.Sub("repo");
  REQUIRE(RunStarlog({"create", local, "--no-policy"}).exit_code == 0);
  const auto without = Session(local, local_dir.path());

  ServedRepository served;
  const auto with = Session(served.root(), local_dir.path());
  REQUIRE(with.size() == without.size());
  for (size_t i = 0; i < with.size(); ++i) {
    std::string expected = without[i];
    // Paths differ between the two repositories; nothing else may.
    for (size_t at; (at = expected.find(local)) != std::string::npos;) {
      expected.replace(at, local.size(), served.root());
    }
    CHECK(with[i] == expected);
  }
  // They went through the service: it holds the lock, and recorded the OS user.
  auto last = served.EventAt(served.OpenReadOnly()->head().sequence);
  CHECK(last.actor == OsUser());
}

TEST_CASE("Through the service, --user cannot name another user", "[service][cli]") {
  ServedRepository served;
  auto refused = RunStarlog({"create-collection", served.root(), "r", "--user", "operator"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "--user cannot name another"));
  CHECK_FALSE(served.OpenReadOnly()->View().value().GetCollection("r").value().has_value());
  // Naming oneself is no lie.
  CHECK(RunStarlog({"create-collection", served.root(), "r", "--user", OsUser()}).exit_code == 0);
  // $STARLOG_USER is ignored, with a warning.
  ::setenv("STARLOG_USER", "operator", 1);
  auto warned = RunStarlog({"create-collection", served.root(), "s"});
  ::unsetenv("STARLOG_USER");
  CHECK(warned.exit_code == 0);
  CHECK(Contains(warned.err, "$STARLOG_USER is ignored"));
  const auto store = served.OpenReadOnly();
  CHECK(served.EventAt(store->head().sequence).actor == OsUser());
}

TEST_CASE("Option --service names the service to write through", "[service][cli]") {
  ServedRepository served;
  CHECK(RunStarlog({"create-collection", served.root(), "r", "--service", served.socket()})
            .exit_code == 0);
  auto nobody = RunStarlog(
      {"create-collection", served.root(), "s", "--service", served.root() + "/no-such.sock"});
  CHECK(nobody.exit_code == 1);
}

TEST_CASE("Option --service must serve the repository PATH names", "[service][cli]") {
  ServedRepository a;
  ServedRepository b;
  const uint64_t head_a = a.OpenReadOnly()->head().sequence;
  const uint64_t head_b = b.OpenReadOnly()->head().sequence;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"create-collection", a.root(), "r", "--service", b.socket()},
        std::vector<std::string>{"query-collections", a.root(), "--service", b.socket()}}) {
    auto r = RunStarlog(args);
    CHECK(r.exit_code == 1);
    CHECK(Contains(r.err, "serves repository " + b.OpenReadOnly()->repository_id().ToString() +
                              ", not " + a.root()));
  }
  CHECK(a.OpenReadOnly()->head().sequence == head_a);
  CHECK(b.OpenReadOnly()->head().sequence == head_b);
  // A PATH that is only a name here (a client on another host) is not checked.
  CHECK(RunStarlog({"query-collections", "elsewhere", "--service", b.socket()}).exit_code == 0);
}

TEST_CASE("Through the service --act-for makes an edit for another user where the policy says so",
          "[service][cli][policy]") {
  // The OS user running the tests is the repository's admin.
  ServedRepository served({}, engine::DefaultPolicy(OsUser()));
  const std::vector<std::string> for_alice = {"create-collection", served.root(), "u/alice/a",
                                              "--act-for", "alice"};
  // No policy gives anyone act-for by default: not even an admin acts for others.
  auto refused = RunStarlog(for_alice);
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "may not act for 'alice'"));
  CHECK_FALSE(served.OpenReadOnly()->View().value().GetCollection("u/alice/a").value().has_value());

  REQUIRE(RunStarlog({"policy", "grant", served.root(), "act-for", OsUser()}).exit_code == 0);
  auto made = RunStarlog(for_alice);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  // The event names both: alice's rights were used, the OS user submitted it.
  const auto store = served.OpenReadOnly();
  const codec::Event event = served.EventAt(store->head().sequence);
  CHECK(event.actor == "alice");
  CHECK(event.via == OsUser());
  // alice's rights, not the submitter's: u/bob/ stays bob's.
  auto not_bobs = RunStarlog({"create-collection", served.root(), "u/bob/b", "--act-for", "alice"});
  CHECK(not_bobs.exit_code == 1);
  auto log = RunStarlog({"log", served.root(), "--actor", OsUser()});
  CHECK(Contains(log.out, "alice (via " + OsUser() + ")"));
}
