#pragma once

// Files that hold secrets or what guards them (tokens, their hashes): made
// with mode 0600 whatever the umask, written whole or not at all, and read
// only when their mode keeps others out.

#include <sys/types.h>

#include <string>

#include "starlog/result.h"

namespace starlog::service {

// Replaces "path" by "content": a temporary file beside it (mode 0600),
// written, fsynced and renamed over "path", then the folder fsynced, so a
// crash leaves the old content or the new, never a mix.
Status ReplaceFile(const std::string& path, const std::string& content);

// Creates "path" (mode 0600) holding "content", synced. Conflict if anything
// is there already: an existing file is never overwritten.
Status CreatePrivateFile(const std::string& path, const std::string& content);

// The content of the regular file "path", at most "max_size" bytes, refused
// (PermissionDenied, saying how to fix it) if its permission bits share any
// of "forbidden" (e.g. 0077: group and others) or, with "owner_only", if it
// is not owned by this process's user. NotFound if there is none.
Result<std::string> ReadPrivateFile(const std::string& path, size_t max_size, mode_t forbidden,
                                    bool owner_only);

// An exclusive lock (flock) on "path", made with mode 0600 if missing, held
// until destroyed: serializes read-modify-write of a file beside it.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace starlog::service
