#include "engine/store/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

#include "starlog/mutex.h"
#include "starlog/thread_annotations.h"

namespace starlog::engine {

namespace {

class QuietLogger final : public rocksdb::Logger {
 public:
  QuietLogger(std::string dir, bool may_roll)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL),
        path_(dir + "/LOG"),
        old_path_(dir + "/LOG.old"),
        may_roll_(may_roll) {
    MutexLock lock(&mu_);
    OpenLocked();
  }
  ~QuietLogger() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[2048];
    timeval now;
    gettimeofday(&now, nullptr);
    tm t;
    localtime_r(&now.tv_sec, &t);
    int n = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ",
                          t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                          static_cast<long>(now.tv_usec));
    va_list copy;
    va_copy(copy, ap);
    const int body = std::vsnprintf(line + n, sizeof(line) - n - 1, format, copy);
    va_end(copy);
    if (body < 0) return;
    n = std::min<int>(n + body, static_cast<int>(sizeof(line)) - 2);
    if (line[n - 1] != '\n') line[n++] = '\n';
    MutexLock lock(&mu_);
    if (fd_ < 0) return;
    // Best effort: an info log that cannot be written (a full disk) is
    // dropped, never an error of the write that logged it.
    const ssize_t written = ::write(fd_, line, static_cast<size_t>(n));
    if (written > 0) size_ += static_cast<size_t>(written);
    if (may_roll_ && size_ > kMaxInfoLogBytes) {
      ::close(fd_);
      static_cast<void>(::rename(path_.c_str(), old_path_.c_str()));  // Best effort.
      OpenLocked();
    }
  }

  size_t GetLogFileSize() const override {
    MutexLock lock(&mu_);
    return size_;
  }

 private:
  void OpenLocked() REQUIRES(mu_) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st;
    size_ = (fd_ >= 0 && ::fstat(fd_, &st) == 0) ? static_cast<size_t>(st.st_size) : 0;
  }

  const std::string path_;
  const std::string old_path_;
  const bool may_roll_;
  mutable Mutex mu_;
  int fd_ GUARDED_BY(mu_) = -1;
  size_t size_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir, bool may_roll) {
  return std::make_shared<QuietLogger>(dir, may_roll);
}

}  // namespace starlog::engine
