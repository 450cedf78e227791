// The service between real processes: `starlog serve` as a child, clients in
// this process and in forked children, on the real socket.

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "service/peer_identity.h"
#include "service/service_generated.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/frame.h"
#include "starlog/engine/policy.h"
#include "starlog/service/client.h"
#include "tests/cli/cli_runner.h"
#include "tests/service/raw_connection.h"
#include "tests/service/service_fixture.h"
#include "tests/testutil/child_process.h"

using namespace starlog;
using namespace starlog::testutil;
using codec::CollectionType;
using service::Client;

namespace {

constexpr uid_t kNobody = 65534;

engine::Edit Run(const std::string& name) {
  return engine::EnsureCollectionEdit{name, CollectionType::kRun, std::nullopt};
}

std::unique_ptr<Client> Connect(const ServedRepository& repo) {
  auto client = Client::Connect(repo.socket(), std::chrono::seconds(10));
  INFO(client.status().ToString());
  REQUIRE(client.ok());
  return std::move(*client);
}

// Connects, retrying while the service is full: it notices connections that
// closed a moment after they did.
Result<std::unique_ptr<Client>> ConnectSoon(const ServedRepository& repo) {
  Result<std::unique_ptr<Client>> client = Client::Connect(repo.socket());
  for (int i = 0; i < 100 && !client.ok() && client.status().IsUnavailable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    client = Client::Connect(repo.socket());
  }
  return client;
}

// In a forked child: become "uid", connect, create "run". The exit code says
// how it went: 0 applied, 2 refused at connect with PermissionDenied, 3
// another error, 4 the service named someone else, 6 the edit refused with
// PermissionDenied (the policy).
int CreateRunAs(const ServedRepository& repo, uid_t uid, const std::string& expected_user,
                const std::string& run) {
  // Root's supplementary groups go too: nothing of root is left.
  if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0) return 5;
  auto client = Client::Connect(repo.socket(), std::chrono::seconds(10));
  if (!client.ok()) return client.status().IsPermissionDenied() ? 2 : 3;
  if ((*client)->user() != expected_user) return 4;
  auto created = (*client)->Submit(Run(run));
  if (created.ok()) return 0;
  return created.status().IsPermissionDenied() ? 6 : 3;
}

// Lets every user reach the socket: the folders on the way, and the socket
// itself (served with --socket-mode 0666).
void OpenToAll(const ServedRepository& repo) {
  namespace fs = std::filesystem;
  // Up to the test's own folder; never /tmp itself.
  const fs::path top = fs::path(repo.root()).parent_path();
  for (fs::path p = repo.root() + "/.starlog"; p != top.parent_path(); p = p.parent_path()) {
    REQUIRE(::chmod(p.c_str(), 0755) == 0);
  }
}

uint64_t Head(Client& client) {
  auto info = client.Info();
  REQUIRE(info.ok());
  return info->head.sequence;
}

}  // namespace

TEST_CASE("An edit through the service records the peer's OS user, whatever it claims",
          "[service]") {
  ServedRepository repo({"--socket-mode", "0666"});
  CHECK(Contains(repo.line(), "on " + repo.root() + "/.starlog/service.sock"));
  struct stat st;
  REQUIRE(::stat(repo.socket().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0666);

  auto client = Connect(repo);
  auto me = service::UserName(::getuid());
  REQUIRE(me.ok());
  CHECK(client->user() == *me);
  auto created = client->Submit(Run("mine"));
  REQUIRE(created.ok());
  CHECK(repo.EventAt(created->head.sequence).actor == *me);

  if (::geteuid() != 0) {
    WARN("not root: cannot run a client as another user (nobody)");
    return;
  }
  OpenToAll(repo);
  CHECK(WaitExit(Fork([&] { return CreateRunAs(repo, kNobody, "nobody", "u/nobody/run"); })) == 0);
  const uint64_t head = Head(*client);
  const codec::Event event = repo.EventAt(head);
  CHECK(event.actor == "nobody");
  CHECK(std::get<codec::CreateCollection>(event.body).name == "u/nobody/run");

  // A uid the user database has no name for is refused, and nothing is written.
  CHECK(WaitExit(Fork([&] { return CreateRunAs(repo, 54321, "", "u/ghost/run"); })) == 2);
  CHECK(Head(*client) == head);
}

TEST_CASE("The policy applies to the user the socket names: nobody writes only u/nobody/",
          "[service]") {
  if (::geteuid() != 0) {
    WARN("not root: cannot run a client as another user (nobody)");
    return;
  }
  ServedRepository repo({"--socket-mode", "0666"}, engine::DefaultPolicy("admin"));
  OpenToAll(repo);
  CHECK(WaitExit(Fork([&] { return CreateRunAs(repo, kNobody, "nobody", "u/nobody/run"); })) == 0);
  CHECK(WaitExit(Fork([&] { return CreateRunAs(repo, kNobody, "nobody", "u/admin/run"); })) == 6);
  CHECK(WaitExit(Fork([&] { return CreateRunAs(repo, kNobody, "nobody", "HSC/raw/all"); })) == 6);
  auto store = repo.OpenReadOnly();
  auto view = store->View();
  REQUIRE(view.ok());
  CHECK(view->GetCollection("u/nobody/run")->has_value());
  CHECK_FALSE(view->GetCollection("u/admin/run")->has_value());
}

TEST_CASE("A crafted append whose payload names another actor and sequence records the peer",
          "[service]") {
  ServedRepository repo;
  RawConnection raw(repo.socket());
  REQUIRE(raw.Hello());

  codec::Event forged;
  forged.sequence = 999;
  forged.commit_time_ns = 1;
  forged.actor = "operator";
  forged.body = codec::CreateCollection{"forged", CollectionType::kRun, ""};
  const std::string payload = codec::EncodeEventPayload(forged);

  namespace fbs = service::fb;
  flatbuffers::FlatBufferBuilder b;
  auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  std::vector<flatbuffers::Offset<fbs::EventBytes>> events = {
      fbs::CreateEventBytes(b, static_cast<uint8_t>(forged.type()), bytes)};
  auto append = fbs::CreateAppendEdit(b, b.CreateVector(events));
  auto request = fbs::CreateEditRequest(b, fbs::Edit_AppendEdit, append.Union());
  b.Finish(fbs::CreateMessage(b, fbs::Body_EditRequest, request.Union()));
  std::string frame;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(service::MessageType::kEdit),
                                {reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()},
                                &frame)
              .ok());
  REQUIRE(raw.Send(frame));
  auto reply = raw.Receive();
  REQUIRE(reply.has_value());
  INFO(StatusOf(*reply).ToString());
  auto* result = std::get_if<service::EditReply>(&*reply);
  REQUIRE(result != nullptr);
  const uint64_t sequence = result->result.head.sequence;
  CHECK(sequence == 2);  // After event 1, not the 999 claimed.
  const codec::Event stored = repo.EventAt(sequence);
  CHECK(stored.actor == *service::UserName(::getuid()));
  CHECK(stored.actor != "operator");
  CHECK(stored.sequence == sequence);
  CHECK(stored.commit_time_ns > 1);
}

TEST_CASE("189 client processes each create a RUN and prepend it to one chain, all land",
          "[service]") {
  ServedRepository repo;
  constexpr int kClients = 189;
  std::vector<pid_t> children;
  for (int i = 0; i < kClients; ++i) {
    children.push_back(Fork([&, i] {
      const std::string run = "LSSTCam/runs/prompt/ccd" + std::to_string(i);
      auto client = Client::Connect(repo.socket(), std::chrono::seconds(60));
      if (!client.ok()) return 1;
      if (!(*client)->Submit(Run(run)).ok()) return 2;
      engine::ChainEditEdit prepend;
      prepend.chain = "LSSTCam/prompt";
      prepend.edit = engine::ChainEdit::kPrepend;
      prepend.names = {run};
      return (*client)->Submit(prepend).ok() ? 0 : 3;
    }));
  }
  int failed = 0;
  for (pid_t pid : children) failed += WaitExit(pid) != 0;
  CHECK(failed == 0);

  auto store = repo.OpenReadOnly();
  auto view = store->View();
  REQUIRE(view.ok());
  auto chain = view->GetCollection("LSSTCam/prompt");
  REQUIRE(chain.ok());
  REQUIRE(chain->has_value());
  const auto& children_now = (*chain)->children;
  CHECK(children_now.size() == kClients);
  CHECK(std::set<std::string>(children_now.begin(), children_now.end()).size() == kClients);
}

TEST_CASE("A client killed mid-request leaves every edit whole or absent", "[service]") {
  ServedRepository repo;
  auto watcher = Connect(repo);
  const uint64_t before = Head(*watcher);

  // Half a request, then the client dies: nothing is applied.
  std::string request;
  engine::AppendEdit three;
  for (const char* part : {"a", "b", "c"}) {
    three.bodies.push_back(
        codec::CreateCollection{std::string("half/") + part, CollectionType::kRun, ""});
  }
  REQUIRE(service::AppendMessage(service::EditRequest{three}, &request).ok());
  const pid_t half = Fork([&] {
    RawConnection raw(repo.socket());
    if (!raw.Hello() || !raw.Send(std::string_view(request).substr(0, request.size() / 2))) {
      return 1;
    }
    ::pause();
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(half, SIGKILL);
  CHECK(WaitExit(half) == 128 + SIGKILL);
  CHECK(Head(*watcher) == before);

  // Clients appending three collections at a time, killed at random points.
  constexpr int kClients = 12;
  std::vector<pid_t> children;
  for (int i = 0; i < kClients; ++i) {
    children.push_back(Fork([&, i] {
      auto client = Client::Connect(repo.socket(), std::chrono::seconds(10));
      if (!client.ok()) return 1;
      for (int n = 0;; ++n) {
        engine::AppendEdit edit;
        const std::string stem = "k/" + std::to_string(i) + "/" + std::to_string(n) + "/";
        for (const char* part : {"a", "b", "c"}) {
          edit.bodies.push_back(codec::CreateCollection{stem + part, CollectionType::kRun, ""});
        }
        if (!(*client)->Submit(edit).ok()) return 2;
      }
    }));
  }
  // Under way first (however loaded the machine), then killed one by one.
  for (int i = 0; i < 200 && Head(*watcher) < before + 3 * kClients; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (size_t i = 0; i < children.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + 7 * (i % 5)));
    ::kill(children[i], SIGKILL);
  }
  for (pid_t pid : children) CHECK(WaitExit(pid) == 128 + SIGKILL);

  CHECK(Head(*watcher) > before);  // The service still serves, and took edits.
  auto store = repo.OpenReadOnly();
  CHECK(store->VerifyLog().ok());
  auto view = store->View();
  REQUIRE(view.ok());
  auto all = view->QueryCollections({"k/*"}, {});
  REQUIRE(all.ok());
  std::map<std::string, int> parts;
  for (const auto& c : *all) parts[c.name.substr(0, c.name.size() - 1)] += 1;
  for (const auto& [stem, count] : parts) {
    INFO(stem);
    CHECK(count == 3);
  }
  auto halves = view->QueryCollections({"half/*"}, {});
  REQUIRE(halves.ok());
  CHECK(halves->empty());
}

TEST_CASE("The service killed with SIGKILL under load loses no acknowledged edit", "[service]") {
  ServedRepository repo;
  std::mutex mu;
  std::vector<std::pair<std::string, uint64_t>> acknowledged;
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    auto client = Connect(repo);
    clients.emplace_back([&, t, c = std::move(client)] {
      for (int n = 0;; ++n) {
        const std::string name = "e/" + std::to_string(t) + "/" + std::to_string(n);
        auto result = c->Submit(Run(name));
        if (!result.ok()) return;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.emplace_back(name, result->head.sequence);
      }
    });
  }
  // Killed once the load is well under way, however loaded the machine.
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard<std::mutex> lock(mu);
    if (acknowledged.size() >= 200) break;
  }
  repo.Kill(SIGKILL);
  for (auto& t : clients) t.join();
  REQUIRE(!acknowledged.empty());

  {
    // Opened for writing: the killed service's lock is gone with it.
    auto store = engine::EventStore::Open(repo.root(), engine::StoreOptions());
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    CHECK((*store)->VerifyLog().ok());
    auto view = (*store)->View();
    REQUIRE(view.ok());
    for (const auto& [name, sequence] : acknowledged) {
      INFO(name << " acknowledged at " << sequence);
      CHECK(sequence <= (*store)->head().sequence);
      auto c = view->GetCollection(name);
      REQUIRE(c.ok());
      CHECK(c->has_value());
    }
  }
  // A socket file left by the killed service does not keep the next out.
  repo.Start();
  CHECK(Head(*Connect(repo)) >= acknowledged.back().second);
}

TEST_CASE("Hostile input is refused cleanly and the service keeps serving", "[service]") {
  ServedRepository repo({"--max-clients", "3"});
  auto keeper = Connect(repo);

  SECTION("garbage bytes") {
    RawConnection raw(repo.socket());
    REQUIRE(raw.Send(std::string(64, '\xab')));
    CHECK(raw.Refusal().IsCorruption());
  }
  SECTION("a frame whose checksum fails") {
    RawConnection raw(repo.socket());
    std::string hello;
    REQUIRE(service::AppendMessage(service::Hello{}, &hello).ok());
    hello[hello.size() - 1] ^= 1;
    REQUIRE(raw.Send(hello));
    CHECK(raw.Refusal().IsCorruption());
  }
  SECTION("an oversized length, before and after hello") {
    std::string header = "\xff\xff\xff\x7f";
    header += std::string(codec::kFrameOverhead, '\x02');
    RawConnection early(repo.socket());
    REQUIRE(early.Send(header));
    const Status refused = early.Refusal();
    CHECK(refused.IsCorruption());
    CHECK(Contains(std::string(refused.message()), "more than the 1024 accepted"));

    RawConnection late(repo.socket());
    REQUIRE(late.Hello());
    REQUIRE(late.Send(header));
    CHECK(late.Refusal().IsCorruption());
  }
  SECTION("a hello with another version") {
    RawConnection raw(repo.socket());
    service::Hello hello;
    hello.version = service::kServiceProtocolVersion + 1;
    REQUIRE(raw.Send(hello));
    CHECK(raw.Refusal().IsNotSupported());
  }
  SECTION("a hello of version 5, whose data_ids and dimension_records had no order") {
    // Such a client would read its rows unordered from a service that
    // orders them, and its own service would ignore a newer client's order.
    RawConnection raw(repo.socket());
    service::Hello hello;
    hello.version = 5;
    REQUIRE(raw.Send(hello));
    const Status refused = raw.Refusal();
    CHECK(refused.IsNotSupported());
    CHECK(Contains(std::string(refused.message()), "speaks protocol version 6"));
    CHECK(Contains(std::string(refused.message()), "the client speaks version 5"));
  }
  SECTION("a request before hello, and a reply sent as a request") {
    RawConnection raw(repo.socket());
    REQUIRE(raw.Send(service::InfoRequest{}));
    CHECK(raw.Refusal().IsInvalidArgument());

    RawConnection other(repo.socket());
    REQUIRE(other.Hello());
    REQUIRE(other.Send(service::StatusReply{Status::NotFound("nothing")}));
    CHECK(other.Refusal().IsInvalidArgument());
  }
  SECTION("too many connections") {
    auto second = Connect(repo);
    auto third = Connect(repo);
    auto fourth = Client::Connect(repo.socket(), std::chrono::seconds(10));
    REQUIRE_FALSE(fourth.ok());
    CHECK(fourth.status().IsUnavailable());
    CHECK(Contains(std::string(fourth.status().message()), "its limit (--max-clients)"));
    third.reset();
    CHECK(ConnectSoon(repo).ok());
  }
  SECTION("an edit the engine refuses comes back with the engine's words") {
    engine::ChainEditEdit bad;
    bad.chain = "chain";
    bad.edit = engine::ChainEdit::kPrepend;
    bad.names = {"no-such-run"};
    REQUIRE(keeper->Submit(Run("a-run")).ok());
    engine::ChainEditEdit not_chained = bad;
    not_chained.chain = "a-run";
    auto refused = keeper->Submit(not_chained);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().IsConflict());
    CHECK(refused.status().message() == "'a-run' is a RUN collection, not CHAINED");
  }
  // Whatever happened, the service still answers, on the old connection and
  // on a new one.
  CHECK(keeper->Info().ok());
  auto fresh = ConnectSoon(repo);
  REQUIRE(fresh.ok());
  CHECK((*fresh)->Submit(Run("after")).ok());
}

TEST_CASE("A second service is refused, the socket file goes when the service stops", "[service]") {
  ServedRepository repo;
  auto second = RunStarlog({"serve", repo.root()});
  CHECK(second.exit_code != 0);
  CHECK(Contains(second.err, "a service already answers on " + repo.socket()));
  repo.Kill(SIGTERM);
  CHECK_FALSE(std::filesystem::exists(repo.socket()));
  auto none = service::ConnectIfServed(repo.root());
  REQUIRE(none.ok());
  CHECK(*none == nullptr);
  repo.Start();
  auto served = service::ConnectIfServed(repo.root());
  REQUIRE(served.ok());
  REQUIRE(*served != nullptr);
  CHECK((*served)->Info().ok());
}

TEST_CASE("serve runs the service by default, beside replication, or replication alone",
          "[service]") {
  TempDir keys;
  const std::string key = keys.Sub("key");
  std::ofstream(key) << "0123456789abcdef-a-key-for-tests\n";
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  SECTION("both, by default") {
    ServedRepository repo({"--listen", "127.0.0.1:0", "--key", key});
    CHECK(Contains(repo.line(), "on " + repo.socket() + " and on 127.0.0.1:"));
    const std::string address = repo.line().substr(repo.line().rfind(' ') + 1);
    auto client = Connect(repo);
    auto created = client->Submit(Run("replicated"));
    REQUIRE(created.ok());
    const std::string mirror = keys.Sub("mirror");
    auto replicated = RunStarlog({"replicate", mirror, "--from", address, "--key", key});
    INFO(replicated.err);
    REQUIRE(replicated.exit_code == 0);
    engine::StoreOptions read_only;
    read_only.read_only = true;
    auto copy = engine::EventStore::Open(mirror, read_only);
    REQUIRE(copy.ok());
    CHECK((*copy)->head().sequence == created->head.sequence);
    CHECK((*copy)->head().chain_hash == created->head.chain_hash);
  }
  SECTION("replication alone (--no-service) takes no write lock and makes no socket") {
    ServedRepository repo({"--listen", "127.0.0.1:0", "--key", key, "--no-service"});
    CHECK_FALSE(Contains(repo.line(), "service.sock"));
    CHECK_FALSE(std::filesystem::exists(service::DefaultSocketPath(repo.root())));
    auto none = service::ConnectIfServed(repo.root());
    REQUIRE(none.ok());
    CHECK(*none == nullptr);
    auto local = RunStarlog({"create-collection", repo.root(), "written-locally"});
    INFO(local.err);
    CHECK(local.exit_code == 0);
  }
  SECTION("--no-service needs replication, and no service options") {
    ServedRepository repo({"--listen", "127.0.0.1:0", "--key", key});
    repo.Kill(SIGTERM);
    auto alone = RunStarlog({"serve", repo.root(), "--no-service"});
    CHECK(alone.exit_code == 2);
    CHECK(Contains(alone.err, "--no-service leaves nothing to serve"));
    auto both =
        RunStarlog({"serve", repo.root(), "--no-service", "--key", key, "--socket-mode", "0600"});
    CHECK(both.exit_code == 2);
    CHECK(Contains(both.err, "--socket-mode is for the service"));
  }
}

TEST_CASE("serve refuses service options it cannot honour", "[service]") {
  TempDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"serve", dir.path(), "--socket-mode", "4777"},
                                             {"serve", dir.path(), "--socket-mode", "rw-rw----"},
                                             {"serve", dir.path(), "--max-clients", "0"},
                                             {"serve", dir.path(), "--listen", "127.0.0.1:0"}}) {
    auto r = RunStarlog(args);
    INFO(args[2] << ": " << r.err);
    CHECK(r.exit_code == 2);
  }
}
