#include "tests/service/raw_connection.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>

#include "service/descriptor_passing.h"
#include "starlog/codec/frame.h"

namespace starlog::testutil {

RawConnection::RawConnection(const std::string& socket) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket.data(), socket.size());
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::RawConnection(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::Send(const service::Message& message) {
  std::string bytes;
  REQUIRE(service::AppendMessage(message, &bytes).ok());
  return Send(bytes);
}

bool RawConnection::SendWithDescriptors(const service::Message& message,
                                        const std::vector<int>& descriptors) {
  std::string bytes;
  REQUIRE(service::AppendMessage(message, &bytes).ok());
  const ssize_t n = service::SendWithDescriptors(fd_, bytes.data(), bytes.size(), descriptors, 0);
  if (n <= 0) return false;
  return Send(std::string_view(bytes).substr(static_cast<size_t>(n)));
}

std::optional<service::Message> RawConnection::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const uint64_t size = codec::AnnouncedFrameSize(in_);
    if (size != 0 && in_.size() >= size) {
      auto message = service::DecodeMessage(std::string_view(in_).substr(0, size));
      in_.erase(0, size);
      if (!message.ok()) throw std::runtime_error(message.status().ToString());
      return std::move(*message);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return std::nullopt;
    in_.append(buffer, static_cast<size_t>(n));
  }
}

bool RawConnection::Closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;
  }
  return false;
}

bool RawConnection::Hello() {
  if (!Send(service::Hello{})) return false;
  auto reply = Receive();
  return reply.has_value() && std::holds_alternative<service::Hello>(*reply);
}

Status RawConnection::Refusal() {
  auto reply = Receive();
  REQUIRE(reply.has_value());
  Status status = StatusOf(*reply);
  REQUIRE_FALSE(status.ok());
  CHECK(Closed());
  return status;
}

Status StatusOf(const service::Message& message) {
  if (const auto* reply = std::get_if<service::StatusReply>(&message)) return reply->status;
  return Status::OK();
}

}  // namespace starlog::testutil
