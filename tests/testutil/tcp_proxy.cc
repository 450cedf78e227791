#include "tests/testutil/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace starlog::testutil {

namespace {

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(uint16_t target_port, std::function<Fault(int)> plan)
    : target_port_(target_port), plan_(std::move(plan)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = Loopback(0);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("proxy cannot listen");
  }
  socklen_t len = sizeof(a);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_.store(true);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (std::thread& t : pumps_) t.join();
  ::close(listen_fd_);
}

void TcpProxy::AcceptLoop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const Fault fault = plan_(connections_.fetch_add(1));
    std::lock_guard<std::mutex> lock(mu_);
    pumps_.emplace_back([this, client, fault] { Pump(client, fault); });
  }
}

void TcpProxy::Pump(int client, Fault fault) {
  const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = Loopback(target_port_);
  if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(server);
    ::close(client);
    return;
  }
  uint64_t downstream = 0;  // Bytes forwarded from the server so far.
  char buffer[16 * 1024];
  bool open = true;
  while (open && !stop_.load()) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int from = p[i].fd;
      const int to = from == client ? server : client;
      ssize_t n = ::recv(from, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      if (from == server && fault.kind == Fault::Kind::kRewrite) {
        const std::string out = fault.rewrite(std::string_view(buffer, static_cast<size_t>(n)));
        if (!out.empty() && !SendAll(to, out.data(), out.size())) open = false;
        continue;
      }
      if (from == server && fault.kind != Fault::Kind::kNone) {
        const uint64_t end = downstream + static_cast<uint64_t>(n);
        if (fault.at >= downstream && fault.at < end) {
          if (fault.kind == Fault::Kind::kCorrupt) {
            buffer[fault.at - downstream] ^= 0x10;
          } else {
            n = static_cast<ssize_t>(fault.at - downstream);
            open = false;
          }
          faults_.fetch_add(1);
        }
      }
      if (from == server) downstream += static_cast<uint64_t>(n);
      if (n > 0 && !SendAll(to, buffer, static_cast<size_t>(n))) open = false;
    }
  }
  ::close(server);
  ::close(client);
}

}  // namespace starlog::testutil
