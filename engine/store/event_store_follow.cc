#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>

#include "engine/store/event_store_impl.h"
#include "engine/store/rocks_status.h"

namespace starlog::engine {

Result<bool> EventStoreImpl::Refresh() {
  if (!options_.follow) return false;
  MutexLock refreshing(&refresh_mu_);
  STARLOG_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "catch up with the writer"));
  MutexLock lock(&mu_);
  const uint64_t before = head_.sequence;
  STARLOG_RETURN_IF_ERROR(LoadMetaLocked(/*check_indexes=*/false));
  return head_.sequence != before;
}

Status EventStoreImpl::WaitForChange(uint64_t after,
                                     std::chrono::steady_clock::time_point deadline) {
  const auto timed_out = [&] {
    return Status::TimedOut("no new event after " + std::to_string(after));
  };
  if (!options_.follow) {
    if (options_.read_only) {
      return Status::NotSupported("a read-only store sees no new events; open it to follow");
    }
    // A writer: its own appends wake it.
    MutexLock lock(&mu_);
    while (head_.sequence <= after) {
      if (!head_moved_.WaitUntil(&mu_, deadline) && head_.sequence <= after) return timed_out();
    }
    return Status::OK();
  }
  // A follower: the writer's commits to its write-ahead log (the files in the
  // registry folder) wake us through inotify, and we catch up then. The poll
  // timeout is a backstop for file systems that do not report changes.
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Status::IOError("inotify_init1 failed");
  const int watch = inotify_add_watch(fd, RegistryPath(root_).c_str(),
                                      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  Status result = timed_out();
  // After a wake-up, catch up once more shortly after: the writer's files
  // change in several steps (a log record, a flush's MANIFEST edit, the
  // record that marks the flush), and one catch-up may land between them.
  bool settling = false;
  while (true) {
    auto moved = Refresh();
    if (!moved.ok()) {
      result = moved.status();
      break;
    }
    if (head().sequence > after) {
      result = Status::OK();
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int backstop_ms = watch < 0 ? 50 : settling ? 20 : 1000;
    const int wait_ms = static_cast<int>(std::min<int64_t>(left.count(), backstop_ms));
    settling = poll(&p, 1, wait_ms) > 0;
    if (settling) {
      char buffer[4096];
      while (read(fd, buffer, sizeof(buffer)) > 0) {
      }
    }
  }
  close(fd);
  return result;
}

}  // namespace starlog::engine
