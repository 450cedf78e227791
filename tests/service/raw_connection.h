#pragma once

// A client that speaks bytes to the service's socket, for what a well-behaved
// client never sends.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/service/protocol.h"

namespace starlog::testutil {

// A connection to "socket" (connected() says whether it is).
class RawConnection {
 public:
  explicit RawConnection(const std::string& socket);
  // A plain TCP connection to 127.0.0.1:"port" (no TLS).
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all of "bytes"; false if the connection broke.
  bool Send(std::string_view bytes);
  bool Send(const service::Message& message);
  // Sends "message" with "descriptors" (SCM_RIGHTS, any number the kernel
  // takes: no bound is checked here) on the first byte.
  bool SendWithDescriptors(const service::Message& message, const std::vector<int>& descriptors);
  // The next message; nullopt when the service closed the connection (or
  // nothing came within "timeout"). A message that fails to decode throws.
  std::optional<service::Message> Receive(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Whether the service closed the connection within "timeout".
  bool Closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends hello and expects the service's hello.
  bool Hello();
  // The status the service refuses with; the test fails unless a status
  // reply comes and the service then closes the connection.
  Status Refusal();

 private:
  int fd_ = -1;
  std::string in_;
};

// The status of a status reply; OK for any other message.
Status StatusOf(const service::Message& message);

}  // namespace starlog::testutil
