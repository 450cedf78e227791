// What a client makes of a service that answers wrongly: a fake service on a
// real Unix socket, speaking the protocol with rows no real one sends.

#include "starlog/service/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "service/message_stream.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::service;

namespace {

using Clock = std::chrono::steady_clock;

// Listens on "path", answers one client's hello, then each query with
// "rows" as its one page.
class FakeService {
 public:
  FakeService(const std::string& path, QueryRows rows) : rows_(std::move(rows)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeService() {
    thread_.join();
    ::close(listener_);
  }

 private:
  void Serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    auto stream = MessageStream::Adopt(fd);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    if (!stream->Receive(kMaxHelloSize, deadline).ok()) return;
    Hello hello;
    hello.repository_id = codec::Uuid::FromBytes("0123456789abcdef");
    hello.user = "someone";
    if (!stream->Send(hello, deadline).ok()) return;
    while (stream->Receive(kMaxRequestSize, deadline).ok()) {
      QueryReply reply;
      reply.rows = rows_;
      if (!stream->Send(reply, deadline).ok()) return;
    }
  }

  QueryRows rows_;
  int listener_ = -1;
  std::thread thread_;
};

}  // namespace

TEST_CASE("Client::Snapshots refuses rows without a name and a sequence", "[service][client]") {
  using Rows = std::vector<codec::FieldMap>;
  for (const Rows& rows : {Rows{{{"name", std::string("a")}}}, Rows{{{"sequence", int64_t{3}}}},
                           Rows{{{"name", int64_t{1}}, {"sequence", int64_t{3}}}},
                           Rows{{{"name", std::string("a")}, {"sequence", std::string("3")}}},
                           Rows{{{"name", std::string("a")}, {"sequence", int64_t{-1}}}}}) {
    testutil::TempDir dir;
    const std::string path = dir.Sub("fake.sock");
    FakeService fake(path, rows);
    auto client = Client::Connect(path);
    REQUIRE(client.ok());
    auto snapshots = (*client)->Snapshots();
    CHECK(snapshots.status().IsCorruption());
    CHECK(std::string(snapshots.status().message()).find("lacks its name or sequence") !=
          std::string::npos);
  }
  testutil::TempDir dir;
  const std::string path = dir.Sub("fake.sock");
  FakeService fake(path, Rows{{{"name", std::string("DM-1")}, {"sequence", int64_t{42}}}});
  auto client = Client::Connect(path);
  REQUIRE(client.ok());
  auto snapshots = (*client)->Snapshots();
  REQUIRE(snapshots.ok());
  REQUIRE(snapshots->size() == 1);
  CHECK(snapshots->at(0).name == "DM-1");
  CHECK(snapshots->at(0).sequence == 42);
}
