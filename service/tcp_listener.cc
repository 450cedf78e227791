#include "service/tcp_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/address.h"
#include "service/accept.h"

namespace starlog::service {

namespace {

std::string Ip(const sockaddr_storage& address, uint16_t* port) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
    if (port != nullptr) *port = ntohs(a.sin6_port);
  } else if (address.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    if (port != nullptr) *port = ntohs(a.sin_port);
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<TcpListener>> TcpListener::Bind(const std::string& address) {
  std::string host;
  uint16_t port = 0;
  STARLOG_RETURN_IF_ERROR(net::ParseAddress(address, &host, &port));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      rc != 0) {
    return Status::InvalidArgument("cannot resolve '" + host + "': " + ::gai_strerror(rc));
  }
  // Non-blocking, so that accept after poll never waits for a client that
  // gave up in between.
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int yes = 1;
  const bool bound =
      fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) == 0 &&
      ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0;
  const int error = errno;
  ::freeaddrinfo(found);
  if (!bound) {
    if (fd >= 0) ::close(fd);
    return Status::Unavailable("cannot listen on " + address + ": " + std::strerror(error));
  }
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  uint16_t bound_port = 0;
  const std::string ip = Ip(local, &bound_port);
  const std::string shown = local.ss_family == AF_INET6 ? "[" + ip + "]" : ip;
  return std::unique_ptr<TcpListener>(
      new TcpListener(fd, shown + ":" + std::to_string(bound_port)));
}

TcpListener::~TcpListener() { ::close(fd_); }

Result<AcceptedTcp> TcpListener::Accept(std::chrono::milliseconds timeout) {
  sockaddr_storage peer{};
  STARLOG_ASSIGN_OR_RETURN(const int fd, AcceptWithin(fd_, timeout, address_, &peer));
  return AcceptedTcp{fd, Ip(peer, nullptr)};
}

}  // namespace starlog::service
