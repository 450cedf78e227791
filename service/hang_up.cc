#include "service/hang_up.h"

#include <poll.h>
#include <sys/socket.h>

namespace starlog::service {

bool PeerHungUp(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if ((p.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL)) != 0) return true;
  // Readable: end of file, or bytes a waiting client should not have sent
  // (they are left for the next read to refuse).
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace starlog::service
