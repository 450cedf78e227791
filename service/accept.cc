#include "service/accept.h"

#include <poll.h>

#include <cerrno>
#include <cstring>

namespace starlog::service {

Result<int> AcceptWithin(int listening_fd, std::chrono::milliseconds timeout,
                         const std::string& where, sockaddr_storage* peer) {
  pollfd p{listening_fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0 || (ready < 0 && errno == EINTR)) return Status::TimedOut("no connection");
  if (ready < 0) {
    return Status::IOError("cannot wait for connections on " + where + ": " + std::strerror(errno));
  }
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  const int client =
      ::accept4(listening_fd, reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC);
  if (client < 0) {
    if (errno == EAGAIN || errno == ECONNABORTED || errno == EINTR) {
      return Status::TimedOut("no connection");
    }
    return Status::IOError("cannot accept a connection on " + where + ": " + std::strerror(errno));
  }
  if (peer != nullptr) *peer = address;
  return client;
}

}  // namespace starlog::service
