// Replication over real TCP on loopback: a server thread serving a primary,
// the replicator making copies. Each rule of the issue has a test that fails
// if the rule is broken.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "replication/file_fetch.h"
#include "replication/handshake.h"
#include "starlog/codec/coding.h"
#include "starlog/codec/frame.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/replication/auth.h"
#include "starlog/replication/channel.h"
#include "starlog/replication/replication_status.h"
#include "starlog/replication/verify.h"
#include "tests/replication/replication_fixture.h"
#include "tests/testutil/tcp_proxy.h"

using namespace starlog;
using namespace starlog::replication;
using namespace starlog::testutil;
using codec::CollectionType;

namespace {

// A primary with some history: collections, chains, calibrations, datasets
// with files.
struct Primary {
  Primary() {
    fixture.CreateCollection("calib", CollectionType::kCalibration);
    fixture.CreateCollection("tagged", CollectionType::kTagged);
    const codec::Uuid bias = fixture.AddBias("HSC/raw/all", 1);
    fixture.Append(codec::Certify{"calib", "bias", {{bias, {0, 100}}}});
    for (int e = 100; e <= 101; ++e) {
      for (int d = 0; d < 4; ++d) {
        files.push_back(AddRawWithFile(fixture, "HSC/raw/all", e, d,
                                       "SIMPLE  = T / exposure " + std::to_string(e * 10 + d) +
                                           std::string(1000 * (d + 1), 'x')));
      }
    }
    fixture.CreateCollection("HSC/defaults", CollectionType::kChained);
    fixture.SetChain("HSC/defaults", {"calib", "HSC/raw/all"});
  }
  engine::EventStore& store() { return fixture.store(); }
  const std::string& root() const { return fixture.root(); }

  RegistryFixture fixture;
  std::vector<codec::Artifact> files;
};

Status RunReplica(const ReplicateOptions& options) { return Replicate(options); }

// Runs a following replicator in a thread until destruction.
class Follower {
 public:
  explicit Follower(ReplicateOptions options) : options_(std::move(options)) {
    options_.follow = true;
    options_.stop = [this] { return stop_.load(); };
    options_.progress = [this](const ReplicationStatus& s) { head_.store(s.head); };
    thread_ = std::thread([this] { result_ = Replicate(options_); });
  }
  ~Follower() { (void)Stop(); }
  Status Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  // Waits until the replica's head reaches "sequence".
  bool WaitFor(uint64_t sequence, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (head_.load() >= sequence) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  ReplicateOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> head_{0};
  Status result_;
  std::thread thread_;
};

void AddCollections(engine::EventStore& store, const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(
        store
            .Append(codec::CreateCollection{prefix + std::to_string(i), CollectionType::kRun, ""},
                    "tester")
            .ok());
  }
}

}  // namespace

TEST_CASE("A replica catches up and equals its primary at every event, files included",
          "[replication]") {
  Primary primary;
  ServerThread server(primary.root());
  TempDir replica;
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  RequireSameLog(primary.store(), replica.path());
  for (const codec::Artifact& file : primary.files) {
    INFO(file.path);
    CHECK(ReadWhole(replica.Sub(file.path)) == ReadWhole(primary.root() + "/" + file.path));
  }
  // Queries answer the same.
  auto copy = OpenReadOnly(replica.path());
  auto found = copy->View()->FindDataset("raw", RegistryFixture::RawId(101, 3), {"HSC/defaults"},
                                         std::nullopt);
  REQUIRE(found.ok());
  CHECK(found->artifact == primary.files.back());
  auto status = ReadReplicationStatus(replica.path()).value();
  CHECK(status.state == "caught up");
  CHECK(status.files_copied == primary.files.size());
  CHECK(status.failed_files.empty());
  CHECK(status.lag_events() == 0);
  CHECK(server.Logged("replica connected"));
}

TEST_CASE("A replica refuses every write, replicating into a primary is refused", "[replication]") {
  Primary primary;
  ServerThread server(primary.root());
  TempDir replica;
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  {
    auto store = engine::EventStore::Open(replica.path(), {}).value();
    const uint64_t head = store->head().sequence;
    auto refused = store->Append(codec::CreateCollection{"mine", CollectionType::kRun, ""}, "me");
    CHECK(refused.status().IsPermissionDenied());
    CHECK(store->head().sequence == head);
  }
  Primary other;
  other.fixture.Close();
  auto into_primary = RunReplica(ReplicaOptions(other.root(), server.address()));
  CHECK(into_primary.IsInvalidArgument());
  CHECK(std::string(into_primary.message()).find("not a replica") != std::string::npos);
}

TEST_CASE("Following applies new events as they are written, and a rerun continues",
          "[replication]") {
  Primary primary;
  ServerThread server(primary.root());
  TempDir replica;
  {
    Follower follower(ReplicaOptions(replica.path(), server.address()));
    REQUIRE(follower.WaitFor(primary.store().head().sequence));
    AddCollections(primary.store(), "live/", 5);
    AddRawWithFile(primary.fixture, "HSC/raw/all", 200, 0, "a new exposure");
    REQUIRE(follower.WaitFor(primary.store().head().sequence));
    REQUIRE(follower.Stop().ok());
  }
  RequireSameLog(primary.store(), replica.path());
  CHECK(ReadWhole(replica.Sub("raw/200/raw_200_0.fits")) == "a new exposure");
  CHECK(ReadReplicationStatus(replica.path()).value().state == "stopped");
  // Written while no replica ran: the next run takes only what is new.
  AddCollections(primary.store(), "later/", 3);
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  RequireSameLog(primary.store(), replica.path());
}

TEST_CASE("Several replicas at once, a stuck one holds up no writer and no other replica",
          "[replication]") {
  Primary primary;
  ServerOptions options;
  options.timeout = std::chrono::milliseconds(60'000);
  ServerThread server(primary.root(), options);
  // A replica that starts and then never reads nor acks.
  auto stuck = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(ConnectToPrimary(*stuck, primary.store().repository_id(), kRoleReplica, kKey).ok());
  REQUIRE(stuck->Send(Start{0, {}}).ok());
  TempDir a, b;
  Follower follower(ReplicaOptions(a.path(), server.address()));
  REQUIRE(follower.WaitFor(primary.store().head().sequence));
  AddCollections(primary.store(), "more/", 20);  // The writer is not held up.
  REQUIRE(RunReplica(ReplicaOptions(b.path(), server.address())).ok());
  REQUIRE(follower.WaitFor(primary.store().head().sequence));
  CHECK(server.server().sessions() >= 2);
  REQUIRE(follower.Stop().ok());
  RequireSameLog(primary.store(), a.path());
  RequireSameLog(primary.store(), b.path());
}

TEST_CASE("A wrong key, no key, another repository or another version is refused on both sides",
          "[replication][auth]") {
  Primary primary;
  ServerThread server(primary.root());
  TempDir replica;

  auto wrong = ReplicaOptions(replica.path(), server.address());
  wrong.key = "not the key the primary holds";
  const Status s = RunReplica(wrong);
  CHECK(s.IsPermissionDenied());
  CHECK(std::string(s.message()).find("authentication failed") != std::string::npos);
  CHECK(server.Logged("refused: authentication failed: the replica's key is not the primary's"));
  CHECK_FALSE(std::filesystem::exists(
      replica.Sub(std::string(engine::kPrivateFolder))));  // Nothing was created.

  auto none = ReplicaOptions(replica.path(), server.address());
  none.key = "";
  CHECK(RunReplica(none).IsInvalidArgument());

  // A replica of this primary, pointed at a primary of another repository.
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  Primary stranger;
  ServerThread other(stranger.root());
  const Status another = RunReplica(ReplicaOptions(replica.path(), other.address()));
  CHECK(another.IsPermissionDenied());
  CHECK(std::string(another.message()).find("not " + primary.store().repository_id().ToString()) !=
        std::string::npos);
  CHECK(other.Logged("this primary serves repository"));

  // A peer speaking another protocol version.
  auto channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(
      channel->Send(Hello{kProtocolVersion + 1, {}, std::string(kNonceSize, 'n'), "replica"}).ok());
  auto answer = channel->Receive();
  REQUIRE(answer.ok());
  const auto* error = std::get_if<Error>(&*answer);
  REQUIRE(error != nullptr);
  CHECK(error->refused);
  CHECK(error->message.find("protocol version mismatch") != std::string::npos);
  CHECK(server.Logged("protocol version mismatch"));

  // And the replica refuses a primary that cannot prove the key: an
  // impostor that answers hello and then sends a made-up proof.
  auto listener = Listener::Bind("127.0.0.1:0", {}).value();
  std::string impostor_heard;
  std::thread impostor([&] {  // No REQUIRE off the main thread: Catch2 is not thread-safe.
    auto peer = listener->Accept(std::chrono::milliseconds(10'000));
    if (!peer.ok()) return;
    auto hello = (*peer)->Receive();
    if (!hello.ok() || !std::holds_alternative<Hello>(*hello)) return;
    const codec::Uuid id = std::get<Hello>(*hello).repository_id;
    if (!(*peer)->Send(Hello{kProtocolVersion, id, RandomNonce(), "primary"}).ok()) return;
    if (!(*peer)->Receive().ok()) return;
    if (!(*peer)->Send(Auth{std::string(32, 'm'), id}).ok()) return;
    auto said = (*peer)->Receive();
    if (said.ok() && std::holds_alternative<Error>(*said)) {
      impostor_heard = std::get<Error>(*said).message;
    }
  });
  const Status fooled = RunReplica(ReplicaOptions(replica.path(), listener->address()));
  impostor.join();
  CHECK(fooled.IsPermissionDenied());
  CHECK(std::string(fooled.message()).find("the primary's key is not this replica's") !=
        std::string::npos);
  CHECK(impostor_heard.find("authentication failed") != std::string::npos);
}

TEST_CASE("A diverged replica is refused and told why, nothing is overwritten", "[replication]") {
  // Two primaries that share their first events, then part.
  TempDir a_dir, b_dir, replica;
  {
    auto a = engine::EventStore::Create(a_dir.Sub("repo"), {}).value();
    AddCollections(*a, "shared/", 5);
  }
  std::filesystem::copy(a_dir.Sub("repo"), b_dir.Sub("repo"),
                        std::filesystem::copy_options::recursive);
  auto a = engine::EventStore::Open(a_dir.Sub("repo"), {}).value();
  auto b = engine::EventStore::Open(b_dir.Sub("repo"), {}).value();
  AddCollections(*a, "a/", 3);
  AddCollections(*b, "b/", 10);
  const uint64_t parted = 7;  // Event 1, five shared collections; a's and b's differ from 7.
  REQUIRE(a->HeadAt(parted - 1).value().chain_hash == b->HeadAt(parted - 1).value().chain_hash);
  REQUIRE(a->HeadAt(parted).value().chain_hash != b->HeadAt(parted).value().chain_hash);

  ServerThread from_a(a_dir.Sub("repo"));
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), from_a.address())).ok());
  const engine::Head before = OpenReadOnly(replica.path())->head();

  ServerThread from_b(b_dir.Sub("repo"));
  const Status s = RunReplica(ReplicaOptions(replica.path(), from_b.address()));
  CHECK(s.IsPermissionDenied());
  CHECK(std::string(s.message()).find("diverged") != std::string::npos);
  CHECK(from_b.Logged("the replica diverged"));
  CHECK(ReadReplicationStatus(replica.path()).value().state == "refused");
  const engine::Head after = OpenReadOnly(replica.path())->head();
  CHECK(after.sequence == before.sequence);
  CHECK(after.chain_hash == before.chain_hash);

  // verify finds where they part, against a folder and against a server.
  auto copy = OpenReadOnly(replica.path());
  VerifyOptions options;
  options.key = kKey;
  auto by_path = Verify(*copy, b_dir.Sub("repo"), options);
  REQUIRE(by_path.ok());
  CHECK_FALSE(by_path->agree);
  CHECK(by_path->first_difference == parted);
  auto by_server = Verify(*copy, from_b.address(), options);
  REQUIRE(by_server.ok());
  CHECK_FALSE(by_server->agree);
  CHECK(by_server->first_difference == parted);
  options.recompute = true;
  auto good = Verify(*copy, from_a.address(), options);
  REQUIRE(good.ok());
  CHECK(good->agree);
  CHECK(good->indexes_intact);
  CHECK(good->common == a->head().sequence);

  // A primary of the same repository with fewer events than the replica.
  TempDir short_dir;
  {
    engine::CreateOptions create;
    create.repository_id = a->repository_id();
    REQUIRE(engine::EventStore::Create(short_dir.Sub("repo"), create).ok());
  }
  ServerThread from_short(short_dir.Sub("repo"));
  const Status ahead = RunReplica(ReplicaOptions(replica.path(), from_short.address()));
  CHECK(ahead.IsPermissionDenied());
  CHECK(std::string(ahead.message()).find("ahead of the primary") != std::string::npos);
  CHECK(OpenReadOnly(replica.path())->head().chain_hash == before.chain_hash);
}

TEST_CASE("Files: verified before kept, retried, metadata only, or only some collections",
          "[replication][files]") {
  Primary primary;
  // Damage one file on the primary: its bytes no longer match the registry.
  const codec::Artifact damaged = primary.files[2];
  std::filesystem::resize_file(primary.root() + "/" + damaged.path, damaged.size / 2);
  ServerThread server(primary.root());
  TempDir replica;
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  CHECK_FALSE(std::filesystem::exists(replica.Sub(damaged.path)));
  CHECK_FALSE(std::filesystem::exists(replica.Sub(damaged.path + ".starlog-partial")));
  auto status = ReadReplicationStatus(replica.path()).value();
  REQUIRE(status.failed_files.size() == 1);
  CHECK(status.failed_files[0].artifact == damaged);
  CHECK(status.failed_files[0].error.find("checksum differs") != std::string::npos);
  CHECK(status.files_copied == primary.files.size() - 1);

  // Mended on the primary: the next run fetches it.
  std::filesystem::remove(primary.root() + "/" + damaged.path);
  {
    std::ofstream out(primary.root() + "/" + damaged.path, std::ios::binary);
    out << "SIMPLE  = T / exposure 1002" << std::string(3000, 'x');
  }
  REQUIRE(engine::DescribeFile(primary.root(), damaged.path).value() == damaged);
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  CHECK(ReadWhole(replica.Sub(damaged.path)) == ReadWhole(primary.root() + "/" + damaged.path));
  CHECK(ReadReplicationStatus(replica.path()).value().failed_files.empty());

  TempDir metadata;
  auto meta = ReplicaOptions(metadata.path(), server.address());
  meta.copy_files = false;
  REQUIRE(RunReplica(meta).ok());
  RequireSameLog(primary.store(), metadata.path());
  CHECK_FALSE(std::filesystem::exists(metadata.Sub("raw")));

  // Only the files of datasets reachable from a chain that holds exposure 200's run.
  primary.fixture.CreateCollection("HSC/runs/night2", CollectionType::kRun);
  primary.fixture.CreateCollection("night2", CollectionType::kChained);
  primary.fixture.SetChain("night2", {"HSC/runs/night2"});
  AddRawWithFile(primary.fixture, "HSC/runs/night2", 200, 1, "night two");
  TempDir some;
  auto partial = ReplicaOptions(some.path(), server.address());
  partial.file_collections = {"night*"};
  REQUIRE(RunReplica(partial).ok());
  CHECK(ReadWhole(some.Sub("raw/200/raw_200_1.fits")) == "night two");
  CHECK_FALSE(std::filesystem::exists(some.Sub(primary.files[0].path)));
  RequireSameLog(primary.store(), some.path());
}

namespace {

// What a peer holding the key gets when it asks the server at "address" for
// "path" as dataset "id"'s file: the bytes, or nullopt when the primary answers "missing". Any
// other outcome (a refusal, a broken connection) is the status.
Result<std::optional<std::string>> AskForFile(const std::string& address, const codec::Uuid& id,
                                              const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(auto channel,
                           Channel::Connect(address, {}, std::chrono::milliseconds(5000)));
  STARLOG_RETURN_IF_ERROR(ConnectToPrimary(*channel, codec::Uuid(), kRoleVerifier, kKey).status());
  STARLOG_RETURN_IF_ERROR(channel->Send(FileRequest{path, id}));
  std::string data;
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(Message message, channel->Receive());
    const auto* chunk = std::get_if<FileChunk>(&message);
    if (chunk == nullptr) return Unexpected(message, "file_chunk", channel->peer());
    if (chunk->missing) return std::optional<std::string>();
    data += chunk->data;
    if (chunk->last) return std::optional<std::string>(data);
  }
}

}  // namespace

TEST_CASE("Only registered files inside the root are served, links out of it are not",
          "[replication][files]") {
  Primary primary;
  TempDir outside;
  std::ofstream(outside.Sub("secret.txt")) << "the secret";
  // A link to a folder outside the root, and a dataset whose file lies behind one.
  std::filesystem::create_directory_symlink(outside.path(), primary.root() + "/evil");
  std::filesystem::create_directory_symlink(outside.path(), primary.root() + "/raw/200");
  const codec::Artifact linked = AddRawWithFile(primary.fixture, "HSC/raw/all", 200, 1, "outside");
  REQUIRE(std::filesystem::exists(outside.Sub("raw_200_1.fits")));
  ServerThread server(primary.root());

  const auto raw_id = [](int64_t exposure, int64_t detector) {
    return engine::DeterministicDatasetId("raw", RegistryFixture::RawId(exposure, detector),
                                          "HSC/raw/all");
  };
  // A dataset's file inside the root is served.
  auto good = AskForFile(server.address(), raw_id(100, 0), primary.files[0].path);
  REQUIRE(good.ok());
  REQUIRE(good->has_value());
  CHECK(**good == ReadWhole(primary.root() + "/" + primary.files[0].path));

  // A path that is not the dataset's file, even one inside the root, is missing.
  auto secret = AskForFile(server.address(), raw_id(100, 0), "evil/secret.txt");
  REQUIRE(secret.ok());
  CHECK_FALSE(secret->has_value());
  CHECK(server.Logged("'evil/secret.txt', which is not the file of dataset"));
  std::ofstream(primary.root() + "/unregistered.txt") << "not a dataset's";
  auto unregistered = AskForFile(server.address(), codec::Uuid(), "unregistered.txt");
  REQUIRE(unregistered.ok());
  CHECK_FALSE(unregistered->has_value());
  auto another = AskForFile(server.address(), raw_id(100, 1), primary.files[0].path);
  REQUIRE(another.ok());
  CHECK_FALSE(another->has_value());

  // A dataset's file that leads out of the root through a link is missing too.
  auto escaped = AskForFile(server.address(), raw_id(200, 1), linked.path);
  REQUIRE(escaped.ok());
  CHECK_FALSE(escaped->has_value());
  CHECK(server.Logged("leads outside the repository"));

  // Paths the grammar refuses end the conversation.
  for (const std::string bad :
       {"", "/etc/passwd", "raw/../../etc/passwd", ".starlog/registry/CURRENT", "raw//x"}) {
    INFO(bad);
    auto refused = AskForFile(server.address(), raw_id(100, 0), bad);
    CHECK(refused.status().IsPermissionDenied());
    CHECK(std::string(refused.status().message()).find("not a repository file path") !=
          std::string::npos);
  }
}

namespace {

// A self-signed certificate for 127.0.0.1 (and localhost), made with the
// openssl tool, in "dir"/<name>.pem and <name>.key.
void MakeCertificate(const TempDir& dir, const std::string& name) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      dir.Sub(name + ".key") + " -out " + dir.Sub(name + ".pem") + " 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
}

}  // namespace

TEST_CASE("Over TLS the primary's certificate is verified, plain and TLS do not mix",
          "[replication][tls]") {
  Primary primary;
  TempDir certs;
  MakeCertificate(certs, "server");
  MakeCertificate(certs, "stranger");
  ServerOptions options;
  options.tls.cert_file = certs.Sub("server.pem");
  options.tls.key_file = certs.Sub("server.key");
  ServerThread server(primary.root(), options);
  TempDir replica;

  auto tls = ReplicaOptions(replica.path(), server.address());
  tls.tls.ca_file = certs.Sub("server.pem");
  REQUIRE(RunReplica(tls).ok());
  RequireSameLog(primary.store(), replica.path());

  // A certificate the replica does not trust: refused, nothing more sent.
  tls.tls.ca_file = certs.Sub("stranger.pem");
  const Status untrusted = RunReplica(tls);
  CHECK(untrusted.IsPermissionDenied());
  CHECK(std::string(untrusted.message()).find("TLS") != std::string::npos);

  // A replica that does not speak TLS gets no hello, and is told why.
  const Status plain = RunReplica(ReplicaOptions(replica.path(), server.address()));
  CHECK_FALSE(plain.ok());
  CHECK(std::string(plain.message()).find("--tls-ca") != std::string::npos);
  CHECK(server.Logged("TLS handshake"));
}

TEST_CASE("A primary that sends more than a file's recorded size is stopped at that size",
          "[replication][files]") {
  // A hostile primary: answers a request for a 4,000-byte file with 64 MiB.
  auto listener = Listener::Bind("127.0.0.1:0", {}).value();
  std::atomic<uint64_t> sent{0};
  std::thread hostile([&] {
    auto peer = listener->Accept(std::chrono::milliseconds(10'000));
    if (!peer.ok() || !(*peer)->Receive().ok()) return;
    const std::string chunk(kFileChunkSize, 'z');
    for (int i = 0; i < 64; ++i) {
      if (!(*peer)->Send(FileChunk{sent.load(), i == 63, false, chunk}).ok()) return;
      sent += chunk.size();
    }
  });
  TempDir replica;
  codec::Artifact artifact{"raw/big.fits", 4000, codec::Hash128{1, 2}};
  auto channel =
      Channel::Connect(listener->address(), {}, std::chrono::milliseconds(10'000)).value();
  const auto fetched = FetchFile(*channel, replica.path(), codec::Uuid(), artifact);
  channel.reset();  // Closes the connection: the hostile side stops sending.
  hostile.join();
  CHECK(fetched.status().IsCorruption());
  CHECK(std::string(fetched.status().message()).find("more than the 4000 bytes recorded") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(replica.Sub("raw/big.fits")));
  CHECK_FALSE(std::filesystem::exists(replica.Sub("raw/big.fits.starlog-partial")));
  // The replica read one chunk and stopped; socket buffers hold a few more at most.
  CHECK(sent.load() < 24 * kFileChunkSize);
}

namespace {

// A raw TCP connection to the loopback "address" (HOST:PORT), or -1.
int RawConnect(const std::string& address) {
  const uint16_t port = static_cast<uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the other end closed "fd" within "limit" (reading and dropping
// whatever it sent before).
bool ClosedWithin(int fd, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  do {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, limit.count() == 0 ? 0 : 10) <= 0) continue;
    char buffer[4096];
    if (::recv(fd, buffer, sizeof(buffer), 0) <= 0) return true;
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

int ThreadsOfThisProcess() {
  return static_cast<int>(std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                                        std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("Connections past the cap are closed at once, idle ones pile up no threads",
          "[replication][dos]") {
  Primary primary;
  ServerOptions options;
  options.max_connections = 4;
  ServerThread server(primary.root(), options);
  const int threads_before = ThreadsOfThisProcess();
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) idle.push_back(RawConnect(server.address()));
  // Every connection past the fourth is closed by the server, soon.
  int closed = 0;
  std::vector<bool> seen(idle.size(), false);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (closed < 36 && std::chrono::steady_clock::now() < until) {
    for (size_t i = 0; i < idle.size(); ++i) {
      if (!seen[i] && ClosedWithin(idle[i], std::chrono::milliseconds(0))) {
        seen[i] = true;
        ++closed;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(closed == 36);
  CHECK(server.server().sessions() <= 4);
  CHECK(ThreadsOfThisProcess() - threads_before <= 4 + 2);  // Slack for RocksDB's own.
  CHECK(server.Logged("refused: already 4 connections (at most 4)"));
  for (int fd : idle) ::close(fd);
  // Once they are gone, a replica is served as ever.
  TempDir replica;
  auto replicate = ReplicaOptions(replica.path(), server.address());
  replicate.retries = 5;
  REQUIRE(RunReplica(replicate).ok());
  RequireSameLog(primary.store(), replica.path());
}

TEST_CASE("A peer that trickles its handshake is dropped at the handshake deadline",
          "[replication][dos]") {
  Primary primary;
  ServerOptions options;
  options.handshake_timeout = std::chrono::milliseconds(600);
  ServerThread server(primary.root(), options);
  std::string hello;
  REQUIRE(AppendMessage(Hello{kProtocolVersion, {}, RandomNonce(), "replica"}, &hello).ok());
  const int fd = RawConnect(server.address());
  REQUIRE(fd >= 0);
  // One byte every 100 ms: each read finishes long before the per-read timeout.
  const auto begin = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < hello.size() && !closed; ++i) {
    if (::send(fd, &hello[i], 1, MSG_NOSIGNAL) != 1) break;
    closed = ClosedWithin(fd, std::chrono::milliseconds(100));
  }
  const auto took = std::chrono::steady_clock::now() - begin;
  ::close(fd);
  CHECK(closed);
  CHECK(took < std::chrono::milliseconds(3000));
  CHECK(server.Logged("timed out"));
}

TEST_CASE("Before the key is proven: nothing longer than a hello, and no repository id",
          "[replication][dos]") {
  Primary primary;
  ServerThread server(primary.root());
  // A frame header announcing 15 MiB: refused on its length, before it is buffered.
  const int fd = RawConnect(server.address());
  REQUIRE(fd >= 0);
  std::string header;
  codec::PutFixed32(&header, 15u << 20);
  header.push_back(static_cast<char>(MessageType::kHello));
  header.append(4096, 'x');
  REQUIRE(::send(fd, header.data(), header.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(header.size()));
  CHECK(ClosedWithin(fd, std::chrono::milliseconds(3000)));
  ::close(fd);
  CHECK(server.Logged("more than the 1024 accepted before authentication"));

  // The primary's hello tells a peer that has not proven the key nothing of
  // the repository; its auth, after the peer's proof, does.
  auto channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  const std::string nonce = RandomNonce();
  REQUIRE(channel->Send(Hello{kProtocolVersion, {}, nonce, "replica"}).ok());
  auto answer = channel->Receive();
  REQUIRE(answer.ok());
  REQUIRE(std::holds_alternative<Hello>(*answer));
  const Hello primary_hello = std::get<Hello>(*answer);
  CHECK(primary_hello.repository_id.IsNil());
  REQUIRE(channel->Send(Auth{std::string(32, 'x'), {}}).ok());  // A wrong proof.
  auto refusal = channel->Receive();
  REQUIRE(refusal.ok());
  REQUIRE(std::holds_alternative<Error>(*refusal));
  CHECK(std::get<Error>(*refusal).message.find(primary.store().repository_id().ToString()) ==
        std::string::npos);
}

TEST_CASE("A relay without the key cannot forge a message after the handshake",
          "[replication][auth]") {
  Primary primary;
  ServerThread server(primary.root());
  TempDir replica;
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  const uint64_t replica_head = primary.store().head().sequence;
  AddCollections(primary.store(), "later/", 3);

  // The relay forwards the primary's hello and auth, then answers for it:
  // "caught up" at the replica's head, with a made-up tag.
  std::string forged;
  REQUIRE(AppendMessage(CaughtUp{WirePoint{replica_head, 0, {}, {}}}, &forged).ok());
  forged.append(kTagSize, '\0');
  struct Relayed {
    std::string pending;
    int frames = 0;
    bool done = false;
  };
  auto state = std::make_shared<Relayed>();
  const uint16_t port =
      static_cast<uint16_t>(std::stoul(server.address().substr(server.address().rfind(':') + 1)));
  TcpProxy relay(port, [&](int) {
    Fault fault;
    fault.kind = Fault::Kind::kRewrite;
    fault.rewrite = [state, forged](std::string_view bytes) {
      std::string out;
      if (state->done) return out;
      state->pending.append(bytes);
      while (state->frames < 2 && state->pending.size() >= codec::kFrameOverhead) {
        const size_t n = codec::kFrameOverhead + codec::DecodeFixed32(state->pending.data());
        if (state->pending.size() < n) break;
        out.append(state->pending, 0, n);
        state->pending.erase(0, n);
        ++state->frames;
      }
      if (state->frames == 2 && !state->pending.empty()) {
        out += forged;
        state->done = true;
      }
      return out;
    };
    return fault;
  });
  const Status s = RunReplica(ReplicaOptions(replica.path(), relay.address()));
  CHECK(s.IsCorruption());
  CHECK(std::string(s.message()).find("message authentication failed") != std::string::npos);
  const ReplicationStatus status = ReadReplicationStatus(replica.path()).value();
  CHECK(status.state != "caught up");
  CHECK(OpenReadOnly(replica.path())->head().sequence == replica_head);

  // Straight to the primary, the same replica catches up.
  REQUIRE(RunReplica(ReplicaOptions(replica.path(), server.address())).ok());
  RequireSameLog(primary.store(), replica.path());
}

TEST_CASE("Control characters a peer sends are escaped before they are logged or reported",
          "[replication][auth]") {
  Primary primary;
  ServerThread server(primary.root());
  // A peer with a terminal-clearing role: the serve log shows it escaped.
  auto channel = Channel::Connect(server.address(), {}, std::chrono::milliseconds(5000)).value();
  REQUIRE(channel->Send(Hello{kProtocolVersion, {}, RandomNonce(), "\x1b[2J\x07"}).ok());
  auto refusal = channel->Receive();
  REQUIRE(refusal.ok());
  CHECK(server.Logged("unknown role '\\x1b[2J\\x07'"));
  CHECK(server.Log().find('\x1b') == std::string::npos);

  // A primary whose refusal carries escapes: the replica's error shows them escaped.
  auto listener = Listener::Bind("127.0.0.1:0", {}).value();
  std::thread hostile([&] {
    auto peer = listener->Accept(std::chrono::milliseconds(10'000));
    if (!peer.ok() || !(*peer)->Receive().ok()) return;
    (void)(*peer)->Send(Error{true, "\x1b]0;owned\x07 go away"});
  });
  TempDir replica;
  const Status s = RunReplica(ReplicaOptions(replica.path(), listener->address()));
  hostile.join();
  CHECK(s.IsPermissionDenied());
  const std::string message(s.message());
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.find("\\x1b]0;owned\\x07 go away") != std::string::npos);
}
