// Faults between real processes: `starlog serve` and `starlog replicate` as
// children, a proxy in this process cutting connections and corrupting bytes
// on the wire, processes killed with SIGKILL and restarted. In every case the
// replica must end with the primary's head and chain hash, every event
// verified, none lost, doubled or out of order, and no unverified file kept.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/replication/replication_fixture.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/tcp_proxy.h"

using namespace starlog;
using namespace starlog::testutil;
using codec::CollectionType;

namespace {

// A primary written by this process: a few hundred events, dozens of files.
struct FaultPrimary {
  explicit FaultPrimary(std::mt19937_64& rng) {
    std::ofstream(key_dir.Sub("key")) << kKey << "\n";
    std::filesystem::permissions(key_dir.Sub("key"), std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
    for (int e = 100; e <= 101; ++e) {
      for (int d = 0; d < 4; ++d) {
        AddRawWithFile(fixture, "HSC/raw/all", e, d,
                       std::string(2000 + rng() % 30000, static_cast<char>('a' + d)));
      }
    }
    AddEvents(150);
  }
  void AddEvents(int n) {
    for (int i = 0; i < n; ++i, ++added) {
      fixture.CreateCollection("run/" + std::to_string(added), CollectionType::kRun);
    }
  }
  std::string key() const { return key_dir.Sub("key"); }
  engine::EventStore& store() { return fixture.store(); }

  TempDir key_dir;
  RegistryFixture fixture;
  int added = 0;
};

// `starlog serve ROOT` on "listen" (ROOT: the primary's, or a replica that
// serves replicas further on); returns the process once it reports its port.
std::unique_ptr<ChildProcess> ServeRoot(const std::string& root, const FaultPrimary& primary,
                                        const std::string& listen, uint16_t* port) {
  std::vector<std::string> args = {STARLOG_BINARY, "serve", root,         "--listen",
                                   listen,         "--key", primary.key()};
  // Replication alone: this process writes the primary itself. (A replica's
  // serve runs no service anyway: its replicate process writes it.)
  if (root == primary.fixture.root()) args.push_back("--no-service");
  auto child = std::make_unique<ChildProcess>(args);
  auto line = child->ReadLine(std::chrono::milliseconds(10'000));
  REQUIRE(line.has_value());
  const size_t colon = line->rfind(':');
  REQUIRE(colon != std::string::npos);
  *port = static_cast<uint16_t>(std::stoul(line->substr(colon + 1)));
  return child;
}

std::unique_ptr<ChildProcess> Serve(const FaultPrimary& primary, const std::string& listen,
                                    uint16_t* port) {
  return ServeRoot(primary.fixture.root(), primary, listen, port);
}

// A FaultPrimary from a random seed (the test logs it), served on a free port.
struct ServedPrimary {
  ServedPrimary() : rng(seed), primary(rng), server(Serve(primary, "127.0.0.1:0", &port)) {}
  const uint64_t seed = std::random_device{}();
  std::mt19937_64 rng;
  FaultPrimary primary;
  uint16_t port = 0;
  std::unique_ptr<ChildProcess> server;
};

std::unique_ptr<ChildProcess> Follow(const FaultPrimary& primary, const std::string& replica,
                                     const std::string& from) {
  auto child = std::make_unique<ChildProcess>(
      std::vector<std::string>{STARLOG_BINARY, "replicate", replica, "--from", from, "--key",
                               primary.key(), "--follow", "--no-sync"});
  // The replica may already hold the primary's head (from a run killed
  // earlier): Stop must not send SIGTERM to a process still starting up.
  REQUIRE(child->WaitUntilCatching(SIGTERM, std::chrono::seconds(20)));
  return child;
}

// Waits until the replica holds the primary's head and every file.
bool CaughtUp(FaultPrimary& primary, const std::string& replica,
              std::chrono::seconds limit = std::chrono::seconds(60)) {
  const engine::Head want = primary.fixture.store().head();
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    engine::StoreOptions options;
    options.read_only = true;
    auto store = engine::EventStore::Open(replica, options);
    if (store.ok() && (*store)->head().sequence == want.sequence) {
      auto status = replication::ReadReplicationStatus(replica);
      if (status.ok() && status->files_through == want.sequence) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Every file the registry names is present and intact; no partial file is left.
void RequireFilesIntact(FaultPrimary& primary, const std::string& replica) {
  auto view = primary.fixture.store().View().value();
  engine::DatasetQuery query;
  query.dataset_type = "raw";
  query.collections = {"HSC/raw/all"};
  size_t files = 0;
  const std::vector<engine::DatasetRef> refs = view.QueryDatasets(query).value();
  for (const engine::DatasetRef& ref : refs) {
    REQUIRE(ref.artifact.has_value());
    INFO(ref.artifact->path);
    auto copy = engine::DescribeFile(replica, ref.artifact->path);
    REQUIRE(copy.ok());
    CHECK(*copy == *ref.artifact);
    ++files;
  }
  CHECK(files >= 8);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(replica)) {
    INFO(entry.path());
    CHECK(entry.path().string().find(".starlog-partial") == std::string::npos);
  }
}

void Stop(std::unique_ptr<ChildProcess>& child) {
  child->Kill(SIGTERM);
  const int status = child->Wait();
  CHECK(WIFEXITED(status));
  child.reset();
}

// Replicates through a proxy that breaks the first "faulty" connections with
// "kind" at a random offset below "range", writing "live" more events once the
// replica has caught up; then checks the replica is the primary's copy.
void ReplicateThroughFaults(Fault::Kind kind, int faulty, uint64_t range, int live) {
  ServedPrimary served;
  INFO("seed " << served.seed);
  std::mutex rng_mu;
  TcpProxy proxy(served.port, [&](int connection) {
    std::lock_guard<std::mutex> lock(rng_mu);
    if (connection >= faulty) return Fault{};
    // The first connection breaks early enough to be sure to break (it
    // carries at least the 16 kB of the smallest files); a random offset up
    // to "range" may lie past all a connection carries, and then the test
    // would test nothing.
    return Fault{kind, served.rng() % (connection == 0 ? 16'000 : range), nullptr};
  });
  TempDir replica;
  auto follower = Follow(served.primary, replica.path(), proxy.address());
  REQUIRE(CaughtUp(served.primary, replica.path()));
  if (live > 0) {
    served.primary.AddEvents(live);  // Live events, through the proxy too.
    REQUIRE(CaughtUp(served.primary, replica.path()));
  }
  Stop(follower);
  CHECK(proxy.faults() > 0);
  RequireSameLog(served.primary.store(), replica.path());
  RequireFilesIntact(served.primary, replica.path());
  Stop(served.server);
}

}  // namespace

TEST_CASE("Connections cut at random points, mid-message too, lose and double nothing",
          "[replication][faults]") {
  ReplicateThroughFaults(Fault::Kind::kCut, 12, 120'000, 40);
}

TEST_CASE("A corrupted byte on the wire is detected and never applied", "[replication][faults]") {
  ReplicateThroughFaults(Fault::Kind::kCorrupt, 10, 150'000, 0);
}

TEST_CASE("The primary restarted, the replica killed with SIGKILL and restarted",
          "[replication][faults]") {
  ServedPrimary served;
  INFO("seed " << served.seed);
  const std::string address = "127.0.0.1:" + std::to_string(served.port);
  TempDir replica;
  auto follower = Follow(served.primary, replica.path(), address);
  REQUIRE(CaughtUp(served.primary, replica.path()));

  // The primary dies hard; events are written while it is down; it restarts.
  served.server->Kill(SIGKILL);
  served.server->Wait();
  served.primary.AddEvents(30);
  AddRawWithFile(served.primary.fixture, "HSC/raw/all", 200, 0, std::string(50'000, 'z'));
  uint16_t again = 0;
  served.server = Serve(served.primary, address, &again);
  REQUIRE(again == served.port);
  REQUIRE(CaughtUp(served.primary, replica.path()));

  // The replica dies hard at random moments while catching up, and restarts.
  for (int round = 0; round < 4; ++round) {
    served.primary.AddEvents(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(served.rng() % 300));
    follower->Kill(SIGKILL);
    follower->Wait();
    follower = Follow(served.primary, replica.path(), address);
  }
  REQUIRE(CaughtUp(served.primary, replica.path()));
  Stop(follower);
  RequireSameLog(served.primary.store(), replica.path());
  RequireFilesIntact(served.primary, replica.path());
  Stop(served.server);
}

TEST_CASE("Three levels deep: a replica serves a replica, through faults in the middle link",
          "[replication][faults]") {
  // A national centre (mid) follows the primary and serves a smaller site
  // (leaf); the link between them breaks at random points, and mid's server
  // dies hard once. The leaf must end with the primary's log and files,
  // every event verified at both hops.
  ServedPrimary served;
  INFO("seed " << served.seed);
  TempDir mid;
  auto mid_follower =
      Follow(served.primary, mid.path(), "127.0.0.1:" + std::to_string(served.port));
  REQUIRE(CaughtUp(served.primary, mid.path()));
  uint16_t mid_port = 0;
  auto mid_server = ServeRoot(mid.path(), served.primary, "127.0.0.1:0", &mid_port);
  std::mutex rng_mu;
  TcpProxy proxy(mid_port, [&](int connection) {
    std::lock_guard<std::mutex> lock(rng_mu);
    if (connection >= 6) return Fault{};
    return Fault{Fault::Kind::kCut, served.rng() % (connection == 0 ? 16'000 : 100'000), nullptr};
  });
  TempDir leaf;
  auto leaf_follower = Follow(served.primary, leaf.path(), proxy.address());
  REQUIRE(CaughtUp(served.primary, leaf.path()));

  // Live events reach the leaf through both hops; then mid's server dies
  // hard while more are written, and comes back on its port.
  served.primary.AddEvents(40);
  REQUIRE(CaughtUp(served.primary, leaf.path()));
  mid_server->Kill(SIGKILL);
  mid_server->Wait();
  served.primary.AddEvents(40);
  AddRawWithFile(served.primary.fixture, "HSC/raw/all", 200, 1, std::string(40'000, 'm'));
  REQUIRE(CaughtUp(served.primary, mid.path()));
  uint16_t again = 0;
  mid_server =
      ServeRoot(mid.path(), served.primary, "127.0.0.1:" + std::to_string(mid_port), &again);
  REQUIRE(again == mid_port);
  REQUIRE(CaughtUp(served.primary, leaf.path()));

  Stop(leaf_follower);
  CHECK(proxy.faults() > 0);
  RequireSameLog(served.primary.store(), leaf.path());
  RequireFilesIntact(served.primary, leaf.path());
  // The leaf checks against the primary itself, end to end.
  ChildProcess verify(
      {STARLOG_BINARY, "verify", leaf.path(), "--against", served.primary.fixture.root()});
  const int verified = verify.Wait();
  CHECK((WIFEXITED(verified) && WEXITSTATUS(verified) == 0));
  Stop(mid_server);
  Stop(mid_follower);
  Stop(served.server);
}
