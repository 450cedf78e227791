#pragma once

// The service's listening TCP socket, for remote clients (TLS is the
// session's business, after accept).
//
// Thread safety: Accept from one thread; nothing else concurrently.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "starlog/result.h"

namespace starlog::service {

struct AcceptedTcp {
  int fd = -1;          // The caller owns it.
  std::string address;  // The peer's IP address, without the port.
};

class TcpListener {
 public:
  // Listens on "address" (HOST:PORT; port 0 picks a free one).
  // InvalidArgument for a malformed address or a host that does not
  // resolve, Unavailable if it cannot be bound (in use).
  static Result<std::unique_ptr<TcpListener>> Bind(const std::string& address);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // The next connection, or TimedOut when none arrives within "timeout".
  Result<AcceptedTcp> Accept(std::chrono::milliseconds timeout);

  // "host:port" bound ("[v6]:port" for IPv6).
  const std::string& address() const { return address_; }

 private:
  TcpListener(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}

  int fd_;
  std::string address_;
};

}  // namespace starlog::service
