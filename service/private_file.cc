#include "service/private_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "service/errno_status.h"
#include "starlog/codec/text.h"

namespace starlog::service {

namespace {

Status WriteAll(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write", path);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return ErrnoStatus("cannot sync", path);
  return Status::OK();
}

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status ReplaceFile(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  // A temporary file left by a crash of this pid's predecessor goes first.
  static_cast<void>(::unlink(temp.c_str()));  // Best effort: O_EXCL below says if it stayed.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus("cannot create", temp);
  Status s =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, content, temp) : ErrnoStatus("cannot chmod", temp);
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0)
    s = ErrnoStatus("cannot rename onto", path);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  const std::string folder = Folder(path);
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return ErrnoStatus("cannot open", folder);
  const bool synced = ::fsync(dir) == 0;
  ::close(dir);
  if (!synced) return ErrnoStatus("cannot sync", folder);
  return Status::OK();
}

Status CreatePrivateFile(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == EEXIST) {
    return Status::Conflict(codec::Quoted(path) + " exists: it is never overwritten");
  }
  if (fd < 0) return ErrnoStatus("cannot create", path);
  const Status s =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, content, path) : ErrnoStatus("cannot chmod", path);
  ::close(fd);
  if (!s.ok()) ::unlink(path.c_str());
  return s;
}

Result<std::string> ReadPrivateFile(const std::string& path, size_t max_size, mode_t forbidden,
                                    bool owner_only) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 && errno == ENOENT) return Status::NotFound("no file " + codec::Quoted(path));
  if (fd < 0) return ErrnoStatus("cannot open", path);
  struct stat st;
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = ErrnoStatus("cannot inspect", path);
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::PermissionDenied(codec::Quoted(path) + " is not a regular file");
  } else if ((st.st_mode & forbidden) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    s = Status::PermissionDenied(codec::Quoted(path) + " has mode " + mode +
                                 ": others may reach it; make it private (chmod 600)");
  } else if (owner_only && st.st_uid != ::geteuid()) {
    s = Status::PermissionDenied(codec::Quoted(path) + " belongs to uid " +
                                 std::to_string(st.st_uid) + ", not to this process's user");
  } else if (static_cast<uint64_t>(st.st_size) > max_size) {
    s = Status::InvalidArgument(codec::Quoted(path) + " is larger than " +
                                std::to_string(max_size) + " bytes");
  }
  std::string content;
  while (s.ok()) {
    char buffer[16 * 1024];
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = ErrnoStatus("cannot read", path);
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > max_size) {
      s = Status::InvalidArgument(codec::Quoted(path) + " is larger than " +
                                  std::to_string(max_size) + " bytes");
    }
  }
  ::close(fd);
  if (!s.ok()) return s;
  return content;
}

Result<FileLock> FileLock::Acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus("cannot open the lock", path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const Status s = ErrnoStatus("cannot lock", path);
    ::close(fd);
    return s;
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace starlog::service
