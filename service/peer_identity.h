#pragma once

// Who is on the other end of a Unix socket: the kernel's record of the
// connecting process (SO_PEERCRED, taken when it called connect), never
// anything the process says about itself.

#include <sys/types.h>

#include <string>

#include "starlog/result.h"

namespace starlog::service {

struct PeerIdentity {
  uid_t uid = 0;
  pid_t pid = 0;
  std::string user;  // The uid's name in the user database (getpwuid_r).
};

// The identity of the peer of "fd", a connected AF_UNIX socket.
// PermissionDenied if its uid has no user name (a name is what the registry
// records and the policy matches); IOError if the kernel cannot say.
Result<PeerIdentity> IdentifyPeer(int fd);

// The uid of the peer of "fd" alone (no user database lookup). IOError if
// the kernel cannot say.
Result<uid_t> PeerUid(int fd);

// The user name of "uid". PermissionDenied if it has none.
Result<std::string> UserName(uid_t uid);

}  // namespace starlog::service
