#include "service/unix_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "service/accept.h"
#include "service/errno_status.h"
#include "starlog/codec/text.h"

namespace starlog::service {

namespace {

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return Status::InvalidArgument("socket path " + codec::Quoted(path) + " must be 1 to " +
                                   std::to_string(sizeof(address.sun_path) - 1) + " bytes");
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// A descriptor closed when it goes out of scope, unless released.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

}  // namespace

Result<bool> UnixListener::Answers(const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(const sockaddr_un address, Address(path));
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return ErrnoStatus("cannot inspect", path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status::InvalidArgument(codec::Quoted(path) + " exists and is not a socket");
  }
  // Non-blocking: a live listener with a full backlog says EAGAIN at once.
  Fd probe{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (probe.fd < 0) return ErrnoStatus("cannot make a socket to probe", path);
  if (::connect(probe.fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    return true;
  }
  if (errno == ECONNREFUSED || errno == ENOENT) return false;
  // EAGAIN: a listener whose backlog is full is alive.
  if (errno == EAGAIN) return true;
  return ErrnoStatus("cannot probe", path);
}

Result<std::unique_ptr<UnixListener>> UnixListener::Bind(const std::string& path, mode_t mode) {
  STARLOG_ASSIGN_OR_RETURN(const sockaddr_un address, Address(path));
  STARLOG_ASSIGN_OR_RETURN(const bool answers, Answers(path));
  if (answers) {
    return Status::Unavailable("a service already answers on " + codec::Quoted(path));
  }
  // Nobody answers: whatever socket file is there was left by a service that
  // died.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cannot remove the stale socket", path);
  }
  // Non-blocking, so that accept after poll never waits for a client that
  // gave up in between.
  Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (fd.fd < 0) return ErrnoStatus("cannot make a socket for", path);
  if (::bind(fd.fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno == EADDRINUSE) {
      return Status::Unavailable("another service took " + codec::Quoted(path) +
                                 " while this one started");
    }
    return ErrnoStatus("cannot bind", path);
  }
  // The mode is set before listen(): until then a connect is refused, so
  // nobody gets in under the umask's mode.
  struct stat st;
  if (::chmod(path.c_str(), mode) != 0 || ::lstat(path.c_str(), &st) != 0) {
    const Status s = ErrnoStatus("cannot set the mode of", path);
    ::unlink(path.c_str());
    return s;
  }
  if (::listen(fd.fd, SOMAXCONN) != 0) {
    const Status s = ErrnoStatus("cannot listen on", path);
    ::unlink(path.c_str());
    return s;
  }
  return std::unique_ptr<UnixListener>(new UnixListener(path, fd.release(), st.st_dev, st.st_ino));
}

UnixListener::~UnixListener() {
  struct stat st;
  if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) {
    ::unlink(path_.c_str());
  }
  ::close(fd_);
}

Result<int> UnixListener::Accept(std::chrono::milliseconds timeout) {
  return AcceptWithin(fd_, timeout, codec::Quoted(path_));
}

}  // namespace starlog::service
