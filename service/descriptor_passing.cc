#include "service/descriptor_passing.h"

#include <sys/socket.h>

#include <cstring>

namespace starlog::service {

ssize_t SendWithDescriptors(int socket, const void* data, size_t size,
                            const std::vector<int>& descriptors, int flags) {
  iovec iov{const_cast<void*>(data), size};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * descriptors.size()));
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * descriptors.size());
  // An empty vector's data() may be null, which memcpy must not be given.
  if (!descriptors.empty()) {
    std::memcpy(CMSG_DATA(cmsg), descriptors.data(), sizeof(int) * descriptors.size());
  }
  return ::sendmsg(socket, &msg, flags | MSG_NOSIGNAL);
}

}  // namespace starlog::service
