#include "service/errno_status.h"

#include <cerrno>
#include <cstring>

#include "starlog/codec/text.h"

namespace starlog::service {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  const int error = errno;
  const std::string text =
      std::string(what) + " " + codec::Quoted(path) + ": " + std::strerror(error);
  if (error == EACCES || error == EPERM) return Status::PermissionDenied(text);
  return Status::IOError(text);
}

}  // namespace starlog::service
