#pragma once

// The service's listening Unix socket and its file: bound only where no
// service answers, with the mode the administrator chose before anyone can
// connect, and removed on close unless another service has taken the path
// since.
//
// Thread safety: Accept from one thread; nothing else concurrently.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "starlog/result.h"

namespace starlog::service {

class UnixListener {
 public:
  // Whether a service answers on "path": OK(false) when there is no file or
  // the file is a socket nobody listens on (left by a service that was
  // killed). InvalidArgument if the path is something else, or too long.
  static Result<bool> Answers(const std::string& path);

  // Listens on "path" with permission bits "mode". A stale socket file is
  // replaced; Unavailable if a service answers there.
  static Result<std::unique_ptr<UnixListener>> Bind(const std::string& path, mode_t mode);
  ~UnixListener();  // Closes the socket and removes its file (if still ours).
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // A connected socket (the caller owns it), or TimedOut when none arrives
  // within "timeout".
  Result<int> Accept(std::chrono::milliseconds timeout);

  const std::string& path() const { return path_; }

 private:
  UnixListener(std::string path, int fd, dev_t dev, ino_t ino)
      : path_(std::move(path)), fd_(fd), dev_(dev), ino_(ino) {}

  std::string path_;
  int fd_;
  // The socket file this listener made: a later service's is left alone.
  dev_t dev_;
  ino_t ino_;
};

}  // namespace starlog::service
