#include "starlog/engine/artifact_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "starlog/codec/text.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<codec::Artifact> DescribeFile(const std::string& root, const std::string& relative_path) {
  const std::string full = root + "/" + relative_path;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  // It changes nothing for a regular file, and nothing else is read.
  Fd file(::open(full.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (file.get() < 0) {
    if (errno == ENOENT) return Status::NotFound("no file " + codec::Printable(full));
    return Status::IOError("open " + codec::Printable(full) + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) {
    return Status::IOError("stat " + codec::Printable(full) + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    // CheckRegularFile names what it is (a FIFO, a device, a folder).
    Status s = CheckRegularFile(full);
    return s.ok() ? Status::InvalidArgument(codec::Printable(full) + " is not a regular file") : s;
  }
  codec::Xxh3Wide hash;
  codec::Artifact artifact;
  artifact.path = relative_path;
  std::string buffer(1 << 20, '\0');
  while (true) {
    const ssize_t n = ::read(file.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("read " + codec::Printable(full) + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    hash.Update(std::string_view(buffer.data(), static_cast<size_t>(n)));
    artifact.size += static_cast<uint64_t>(n);
  }
  artifact.checksum = hash.Digest();
  return artifact;
}

Result<codec::Artifact> DescribeFileInRoot(const std::string& root, const std::string& relative) {
  STARLOG_RETURN_IF_ERROR(CheckArtifactInRoot(root, relative));
  return DescribeFile(root, relative);
}

}  // namespace starlog::engine
