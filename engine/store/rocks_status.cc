#include "engine/store/rocks_status.h"

#include <string>

namespace starlog::engine {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg(context);
  msg += ": ";
  msg += s.ToString();
  const std::string text = s.ToString();
  if (s.IsNoSpace() || text.find("No space left") != std::string::npos ||
      text.find("File too large") != std::string::npos) {
    // A full disk (or file size limit): the commit was not made; the
    // repository stays as it was and takes writes again once there is room.
    return Status::IOError(std::string(context) + ": out of disk space, nothing was written (" +
                           text + "); free some space and run the command again");
  }
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Unavailable(msg);
  return Status::IOError(msg);
}

}  // namespace starlog::engine
