// The service's server in this process, with deadlines short enough to
// watch: the hello deadline, the idle timeout, the socket file's life.

#include "starlog/service/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "starlog/service/client.h"
#include "tests/service/raw_connection.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::service;
using starlog::testutil::RawConnection;

namespace {

// A repository and a server running it on a thread.
struct Running {
  explicit Running(ServerOptions options = {}) {
    root = dir.Sub("repo");
    engine::CreateOptions create;
    create.actor = "admin";
    create.store.sync = false;
    REQUIRE(engine::EventStore::Create(root, create).ok());
    options.root = root;
    options.store.sync = false;
    auto started = Server::Start(options);
    INFO(started.status().ToString());
    REQUIRE(started.ok());
    server = std::move(*started);
    thread = std::thread([this] { server->Run(); });
  }
  ~Running() { Stop(); }
  void Stop() {
    if (!thread.joinable()) return;
    server->Stop();
    thread.join();
  }
  testutil::TempDir dir;
  std::string root;
  std::unique_ptr<Server> server;
  std::thread thread;
};

}  // namespace

TEST_CASE("A connection that says no hello in time is closed", "[service]") {
  ServerOptions options;
  options.hello_timeout = std::chrono::milliseconds(200);
  Running running(options);
  RawConnection silent(running.server->socket_path());
  REQUIRE(silent.connected());
  const auto start = std::chrono::steady_clock::now();
  CHECK(silent.Closed(std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("An idle connection is closed, the client's next request says so", "[service]") {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  Running running(options);
  auto client = Client::Connect(running.server->socket_path());
  REQUIRE(client.ok());
  CHECK((*client)->Info().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto late = (*client)->Info();
  CHECK_FALSE(late.ok());
  CHECK(late.status().IsIOError());
}

TEST_CASE("The socket gets its mode, and its file goes when the server stops", "[service]") {
  ServerOptions options;
  options.socket_mode = 0600;
  Running running(options);
  const std::string path = running.server->socket_path();
  CHECK(path == DefaultSocketPath(running.root));
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  auto client = Client::Connect(path);
  REQUIRE(client.ok());
  running.Stop();  // Also ends the idle client's session.
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE((*client)->Info().ok());
}

TEST_CASE("The server refuses a path that is not a socket, and one a service answers on",
          "[service]") {
  Running running;
  // The repository is locked by the running server; these are refused before
  // that matters.
  ServerOptions taken;
  taken.root = running.root;
  taken.socket_path = running.server->socket_path();
  auto second = Server::Start(taken);
  CHECK(second.status().IsUnavailable());
  CHECK(second.status().message().find("a service already answers") != std::string_view::npos);

  ServerOptions file;
  file.root = running.root;
  file.socket_path = running.dir.Sub("plain-file");
  std::ofstream(file.socket_path) << "not a socket";
  CHECK(Server::Start(file).status().IsInvalidArgument());
  CHECK(std::filesystem::exists(file.socket_path));  // Left alone.

  ServerOptions long_path;
  long_path.root = running.root;
  long_path.socket_path = running.dir.Sub(std::string(200, 's'));
  CHECK(Server::Start(long_path).status().IsInvalidArgument());
}

TEST_CASE("ConnectIfServed: nullptr without a service, or with a stale socket file", "[service]") {
  Running running;
  auto served = ConnectIfServed(running.root);
  REQUIRE(served.ok());
  REQUIRE(*served != nullptr);
  CHECK((*served)->repository_id() == running.server->repository_id());
  CHECK((*served)->socket_path() == DefaultSocketPath(running.root));
  running.Stop();

  auto none = ConnectIfServed(running.root);
  REQUIRE(none.ok());
  CHECK(*none == nullptr);

  // What a killed service leaves: a socket file nobody listens on.
  const std::string path = DefaultSocketPath(running.root);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  ::close(fd);
  REQUIRE(std::filesystem::exists(path));
  auto stale = ConnectIfServed(running.root);
  REQUIRE(stale.ok());
  CHECK(*stale == nullptr);

  // And the next service replaces it.
  running.server.reset();  // Lets go of the write lock.
  ServerOptions again;
  again.root = running.root;
  auto restarted = Server::Start(again);
  INFO(restarted.status().ToString());
  CHECK(restarted.ok());
}

TEST_CASE("One user's connections are bounded apart from everyone's", "[service]") {
  ServerOptions options;
  options.max_connections = 8;
  options.max_connections_per_user = 3;
  Running running(options);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    auto client = Client::Connect(running.server->socket_path());
    REQUIRE(client.ok());
    held.push_back(std::move(*client));
  }
  auto fourth = Client::Connect(running.server->socket_path());
  REQUIRE_FALSE(fourth.ok());
  CHECK(fourth.status().IsUnavailable());
  CHECK(std::string(fourth.status().message()).find("--max-clients-per-user") != std::string::npos);
  // A slot frees when one of them goes.
  held.pop_back();
  bool admitted = false;
  for (int i = 0; i < 100 && !admitted; ++i) {
    admitted = Client::Connect(running.server->socket_path()).ok();
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(admitted);
}
