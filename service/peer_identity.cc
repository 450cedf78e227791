#include "service/peer_identity.h"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace starlog::service {

Result<std::string> UserName(uid_t uid) {
  const long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(suggested > 0 ? static_cast<size_t>(suggested) : 16384);
  while (true) {
    struct passwd entry;
    struct passwd* found = nullptr;
    const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr || found->pw_name == nullptr || found->pw_name[0] == '\0') {
      return Status::PermissionDenied(
          "uid " + std::to_string(uid) + " has no user name on the service's host (" +
          (rc != 0 ? std::strerror(rc) : "no such user") + "): the registry records users by name");
    }
    return std::string(found->pw_name);
  }
}

namespace {

Result<struct ucred> PeerCredentials(int fd) {
  struct ucred cred;
  socklen_t length = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0 || length != sizeof(cred)) {
    return Status::IOError(std::string("cannot tell who the client is (SO_PEERCRED): ") +
                           std::strerror(errno));
  }
  return cred;
}

}  // namespace

Result<uid_t> PeerUid(int fd) {
  STARLOG_ASSIGN_OR_RETURN(struct ucred cred, PeerCredentials(fd));
  return cred.uid;
}

Result<PeerIdentity> IdentifyPeer(int fd) {
  STARLOG_ASSIGN_OR_RETURN(struct ucred cred, PeerCredentials(fd));
  PeerIdentity peer;
  peer.uid = cred.uid;
  peer.pid = cred.pid;
  STARLOG_ASSIGN_OR_RETURN(peer.user, UserName(cred.uid));
  return peer;
}

}  // namespace starlog::service
