// The service's TCP listener in this process, with real TLS certificates
// and deadlines short enough to watch: who a remote client is (a token, a
// verified client certificate, never its word), and the bounds that keep
// unauthenticated peers from holding the service.

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "net/tls_context.h"
#include "service/message_stream.h"
#include "starlog/codec/event_codec.h"
#include "starlog/engine/policy.h"
#include "starlog/mutex.h"
#include "starlog/service/client.h"
#include "starlog/service/server.h"
#include "starlog/service/user_tokens.h"
#include "tests/service/certificates.h"
#include "tests/service/raw_connection.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::service;
using starlog::testutil::RawConnection;
using starlog::testutil::TempDir;

namespace {

using Clock = std::chrono::steady_clock;

// A repository (DMTN-167's policy, "admin" its admin), tokens for alice and
// bob, and a server for it on a thread, listening on 127.0.0.1 with TLS.
struct Remote {
  explicit Remote(ServerOptions options = {}, bool client_ca = false) {
    testutil::MakeServerCertificate(certs, "server");
    testutil::MakeCa(certs, "users");
    root = dir.Sub("repo");
    engine::CreateOptions create;
    create.actor = "admin";
    create.store.sync = false;
    create.policy = engine::DefaultPolicy("admin");
    REQUIRE(engine::EventStore::Create(root, create).ok());
    alice = AddUser(root, "alice").value();
    bob = AddUser(root, "bob").value();
    options.root = root;
    options.store.sync = false;
    options.tcp_address = "127.0.0.1:0";
    options.tls_cert_file = certs.Sub("server.pem");
    options.tls_key_file = certs.Sub("server.key");
    if (client_ca) options.client_ca_file = certs.Sub("users.pem");
    options.log = [this](const std::string& line) {
      MutexLock lock(&mu);
      log += line + "\n";
    };
    auto started = Server::Start(options);
    INFO(started.status().ToString());
    REQUIRE(started.ok());
    server = std::move(*started);
    address = server->tcp_address();
    port = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    thread = std::thread([this] { server->Run(); });
  }
  ~Remote() {
    server->Stop();
    thread.join();
  }

  RemoteOptions With(std::string token) const {
    RemoteOptions remote;
    remote.address = address;
    remote.ca_file = certs.Sub("server.pem");
    remote.token = std::move(token);
    return remote;
  }
  bool Logged(const std::string& text) {
    MutexLock lock(&mu);
    return log.find(text) != std::string::npos;
  }
  std::string actor_of_last_event() const {
    engine::StoreOptions read_only;
    read_only.read_only = true;
    auto store = engine::EventStore::Open(root, read_only).value();
    auto records = store->ReadLog(store->head().sequence, 1).value();
    return codec::DecodeEventFrame(records.front().frame).value().actor;
  }

  TempDir dir;
  TempDir certs;
  std::string root;
  std::string alice;
  std::string bob;
  std::unique_ptr<Server> server;
  std::string address;
  uint16_t port = 0;
  std::thread thread;
  Mutex mu;
  std::string log;
};

engine::Edit Run(const std::string& name) {
  return engine::EnsureCollectionEdit{name, codec::CollectionType::kRun, std::nullopt};
}

// A TLS stream to the server, its certificate verified, to say what a
// Client never says.
std::unique_ptr<MessageStream> TlsStream(const Remote& remote) {
  auto context = net::ClientContext(remote.certs.Sub("server.pem")).value();
  auto stream =
      MessageStream::ConnectTls(remote.address, context, Clock::now() + std::chrono::seconds(5));
  INFO(stream.status().ToString());
  REQUIRE(stream.ok());
  return std::move(*stream);
}

}  // namespace

TEST_CASE("Over TCP a token's holder is the user, the policy applies to it", "[service][tls]") {
  Remote remote;
  auto alice = Client::ConnectRemote(remote.With(remote.alice));
  INFO(alice.status().ToString());
  REQUIRE(alice.ok());
  CHECK((*alice)->user() == "alice");
  CHECK((*alice)->repository_id() == remote.server->repository_id());
  REQUIRE((*alice)->Submit(Run("u/alice/run1")).ok());
  CHECK(remote.actor_of_last_event() == "alice");

  auto bob = Client::ConnectRemote(remote.With(remote.bob)).value();
  CHECK(bob->user() == "bob");
  REQUIRE(bob->Submit(Run("u/bob/run1")).ok());
  CHECK(remote.actor_of_last_event() == "bob");
  // Not an admin: another's u/ and the admins' collections are refused.
  auto theirs = bob->Submit(Run("u/alice/mine-now"));
  CHECK(theirs.status().IsPermissionDenied());
  CHECK(bob->Submit(Run("shared")).status().IsPermissionDenied());
  CHECK(remote.Logged("alice (token, 127.0.0.1): connected"));
}

TEST_CASE("Over TCP a wrong token, a removed one, or none is refused", "[service][tls]") {
  Remote remote;
  auto wrong = Client::ConnectRemote(remote.With("slt1_" + std::string(64, '0')));
  CHECK(wrong.status().IsPermissionDenied());
  CHECK(std::string(wrong.status().message()).find("token") != std::string::npos);
  auto truncated = Client::ConnectRemote(remote.With(remote.alice.substr(0, 20)));
  CHECK(truncated.status().IsPermissionDenied());

  auto none = Client::ConnectRemote(remote.With(""));
  CHECK(none.status().IsPermissionDenied());
  CHECK(std::string(none.status().message()).find("no token and no verified client certificate") !=
        std::string::npos);

  // Removed while the server runs: refused from the next connection on.
  auto before = Client::ConnectRemote(remote.With(remote.alice));
  REQUIRE(before.ok());
  REQUIRE(RemoveUser(remote.root, "alice").ok());
  CHECK(Client::ConnectRemote(remote.With(remote.alice)).status().IsPermissionDenied());
  CHECK(Client::ConnectRemote(remote.With(remote.bob)).ok());
}

TEST_CASE("A hello over TCP that names a user is not believed", "[service][tls]") {
  Remote remote;
  auto stream = TlsStream(remote);
  Hello hello;
  hello.user = "admin";
  hello.token = remote.bob;
  REQUIRE(stream->Send(hello, Clock::now() + std::chrono::seconds(5)).ok());
  auto reply = stream->Receive(kMaxHelloSize, Clock::now() + std::chrono::seconds(5));
  REQUIRE(reply.ok());
  REQUIRE(std::holds_alternative<Hello>(*reply));
  CHECK(std::get<Hello>(*reply).user == "bob");
  CHECK(std::get<Hello>(*reply).token.empty());  // Never echoed.

  // A name and no token: no one.
  auto other = TlsStream(remote);
  Hello claim;
  claim.user = "admin";
  REQUIRE(other->Send(claim, Clock::now() + std::chrono::seconds(5)).ok());
  auto refusal = other->Receive(kMaxHelloSize, Clock::now() + std::chrono::seconds(5));
  REQUIRE(refusal.ok());
  REQUIRE(std::holds_alternative<StatusReply>(*refusal));
  CHECK(std::get<StatusReply>(*refusal).status.IsPermissionDenied());
}

TEST_CASE("Over TCP nothing but a hello is read before authentication", "[service][tls]") {
  Remote remote;
  // A request in place of the hello, inside TLS: refused, nothing applied.
  auto stream = TlsStream(remote);
  REQUIRE(
      stream->Send(EditRequest{Run("u/alice/early")}, Clock::now() + std::chrono::seconds(5)).ok());
  auto reply = stream->Receive(kMaxHelloSize, Clock::now() + std::chrono::seconds(5));
  REQUIRE(reply.ok());
  REQUIRE(std::holds_alternative<StatusReply>(*reply));
  CHECK(std::get<StatusReply>(*reply).status.IsInvalidArgument());

  // A hello larger than kMaxHelloSize: refused by its announced length.
  auto large = TlsStream(remote);
  Hello padded;
  padded.token = remote.alice + std::string(2 * kMaxHelloSize, 'x');
  REQUIRE(large->Send(padded, Clock::now() + std::chrono::seconds(5)).ok());
  // The refusal may be lost to the reset a close with unread bytes sends;
  // the server's log says why it closed.
  auto too_large = large->Receive(kMaxHelloSize, Clock::now() + std::chrono::seconds(5));
  if (too_large.ok()) {
    REQUIRE(std::holds_alternative<StatusReply>(*too_large));
    CHECK(std::get<StatusReply>(*too_large).status.IsCorruption());
  }
  CHECK(remote.Logged("more than the " + std::to_string(kMaxHelloSize) + " accepted"));

  // Plain TCP, no TLS: a well-formed hello and edit in clear are never read
  // as messages; the TLS handshake fails on them and the server closes.
  RawConnection plain(remote.port);
  REQUIRE(plain.connected());
  Hello hello;
  hello.token = remote.alice;
  plain.Send(hello);
  plain.Send(EditRequest{Run("u/alice/plain")});
  CHECK(plain.Closed());
  CHECK(remote.Logged("TLS handshake"));
  CHECK(remote.actor_of_last_event() == "admin");  // Nothing applied.
}

TEST_CASE("The client verifies the service's certificate before sending its token",
          "[service][tls]") {
  Remote remote;
  TempDir other;
  testutil::MakeServerCertificate(other, "stranger");
  RemoteOptions options = remote.With(remote.alice);
  options.ca_file = other.Sub("stranger.pem");
  auto untrusted = Client::ConnectRemote(options);
  CHECK(untrusted.status().IsPermissionDenied());
  CHECK(std::string(untrusted.status().message()).find("TLS") != std::string::npos);
  CHECK_FALSE(remote.Logged("alice"));
  // The system's roots do not hold a self-signed certificate either.
  options.ca_file = "";
  CHECK(Client::ConnectRemote(options).status().IsPermissionDenied());
}

TEST_CASE("With a client CA, a certificate it signed names the user by its CN", "[service][tls]") {
  Remote remote({}, true);
  testutil::MakeClientCertificate(remote.certs, "users", "carol", "carol");
  testutil::MakeClientCertificate(remote.certs, "users", "bad-cn", "not a user!");
  TempDir elsewhere;
  testutil::MakeCa(elsewhere, "rogue");
  testutil::MakeClientCertificate(elsewhere, "rogue", "mallory", "admin");

  RemoteOptions carol = remote.With("");
  carol.cert_file = remote.certs.Sub("carol.pem");
  carol.key_file = remote.certs.Sub("carol.key");
  auto client = Client::ConnectRemote(carol);
  INFO(client.status().ToString());
  REQUIRE(client.ok());
  CHECK((*client)->user() == "carol");
  REQUIRE((*client)->Submit(Run("u/carol/run")).ok());
  CHECK(remote.actor_of_last_event() == "carol");
  CHECK(remote.Logged("carol (certificate, 127.0.0.1): connected"));

  // Another CA's certificate, even naming an admin: the handshake fails.
  RemoteOptions mallory = remote.With("");
  mallory.cert_file = elsewhere.Sub("mallory.pem");
  mallory.key_file = elsewhere.Sub("mallory.key");
  CHECK_FALSE(Client::ConnectRemote(mallory).ok());
  CHECK_FALSE(remote.Logged("admin (certificate"));

  // A CN that is no user name.
  RemoteOptions bad = remote.With("");
  bad.cert_file = remote.certs.Sub("bad-cn.pem");
  bad.key_file = remote.certs.Sub("bad-cn.key");
  CHECK(Client::ConnectRemote(bad).status().IsPermissionDenied());

  // A token still works beside certificates.
  CHECK(Client::ConnectRemote(remote.With(remote.alice)).ok());
}

TEST_CASE("Without a client CA a client certificate names no one", "[service][tls]") {
  Remote remote;
  testutil::MakeClientCertificate(remote.certs, "users", "carol", "carol");
  RemoteOptions carol = remote.With("");
  carol.cert_file = remote.certs.Sub("carol.pem");
  carol.key_file = remote.certs.Sub("carol.key");
  CHECK(Client::ConnectRemote(carol).status().IsPermissionDenied());
}

TEST_CASE("A TCP peer silent in or after the TLS handshake is closed by the hello deadline",
          "[service][tls]") {
  ServerOptions options;
  options.hello_timeout = std::chrono::milliseconds(300);
  Remote remote(options);
  // Says nothing at all: not even TLS.
  RawConnection mute(remote.port);
  REQUIRE(mute.connected());
  auto start = Clock::now();
  CHECK(mute.Closed(std::chrono::seconds(5)));
  CHECK(Clock::now() - start < std::chrono::seconds(3));

  // Completes TLS, then says nothing.
  start = Clock::now();
  auto stream = TlsStream(remote);
  auto nothing = stream->Receive(kMaxHelloSize, Clock::now() + std::chrono::seconds(5));
  CHECK_FALSE(nothing.ok());
  CHECK(nothing.status().IsIOError());
  CHECK(Clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("A flood of unauthenticated TCP connections keeps no token holder out",
          "[service][tls]") {
  ServerOptions options;
  options.max_connections = 64;
  options.max_unauthenticated = 4;
  options.max_unauthenticated_per_address = 3;
  options.hello_timeout = std::chrono::seconds(20);  // The flood would stay that long.
  Remote remote(options);
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 40; ++i) {
    flood.push_back(std::make_unique<RawConnection>(remote.port));
    REQUIRE(flood.back()->connected());
  }
  // The oldest were evicted as the rest came: few sessions are held.
  bool bounded = false;
  for (int i = 0; i < 500 && !bounded; ++i) {
    bounded = remote.server->sessions() <= 3;
    if (!bounded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(bounded);
  for (int i = 0; i < 5; ++i) {
    auto alice = Client::ConnectRemote(remote.With(remote.alice));
    INFO(alice.status().ToString());
    REQUIRE(alice.ok());
    CHECK((*alice)->Info().ok());
  }
  // Authenticated connections are not evicted by a flood after them.
  auto held = Client::ConnectRemote(remote.With(remote.alice)).value();
  for (int i = 0; i < 10; ++i) flood.push_back(std::make_unique<RawConnection>(remote.port));
  CHECK(held->Submit(Run("u/alice/after-flood")).ok());
}

TEST_CASE("Over TCP one user's connections are bounded once authenticated", "[service][tls]") {
  ServerOptions options;
  options.max_connections = 8;
  options.max_connections_per_user = 2;
  Remote remote(options);
  auto first = Client::ConnectRemote(remote.With(remote.alice)).value();
  auto second = Client::ConnectRemote(remote.With(remote.alice)).value();
  auto third = Client::ConnectRemote(remote.With(remote.alice));
  CHECK(third.status().IsUnavailable());
  CHECK(std::string(third.status().message()).find("--max-clients-per-user") != std::string::npos);
  CHECK(Client::ConnectRemote(remote.With(remote.bob)).ok());  // Another user's own.
}

TEST_CASE("A token table others may read or write is not used", "[service][tls]") {
  Remote remote;
  REQUIRE(::chmod(TokenTablePath(remote.root).c_str(), 0644) == 0);
  auto refused = Client::ConnectRemote(remote.With(remote.alice));
  CHECK(refused.status().IsPermissionDenied());
  CHECK(remote.Logged("chmod 600"));
  REQUIRE(::chmod(TokenTablePath(remote.root).c_str(), 0600) == 0);
  CHECK(Client::ConnectRemote(remote.With(remote.alice)).ok());
}

TEST_CASE("TCP without TLS, or a client CA without TCP, is refused at start", "[service][tls]") {
  TempDir dir;
  const std::string root = dir.Sub("repo");
  engine::CreateOptions create;
  create.store.sync = false;
  REQUIRE(engine::EventStore::Create(root, create).ok());
  ServerOptions options;
  options.root = root;
  options.tcp_address = "127.0.0.1:0";
  auto plain = Server::Start(options);
  CHECK(plain.status().IsInvalidArgument());
  CHECK(std::string(plain.status().message()).find("TLS") != std::string::npos);
  ServerOptions ca_only;
  ca_only.root = root;
  ca_only.client_ca_file = dir.Sub("ca.pem");
  CHECK(Server::Start(ca_only).status().IsInvalidArgument());
}
