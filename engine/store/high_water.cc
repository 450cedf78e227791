#include "engine/store/high_water.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "starlog/codec/coding.h"

namespace starlog::engine {

namespace {

constexpr std::string_view kMagic = "SLACK001";

std::string Encode(const Head& head) {
  std::string out(kMagic);
  codec::PutFixed64(&out, head.sequence);
  head.chain_hash.AppendTo(&out);
  codec::PutFixed64(&out, codec::Xxh3_64(out));
  return out;
}

}  // namespace

std::string HighWaterPath(const std::string& root) {
  return (std::filesystem::path(root) / ".starlog" / "acknowledged").string();
}

std::optional<Head> ReadHighWater(const std::string& root) {
  const int fd = ::open(HighWaterPath(root).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[kHighWaterSize];
  const ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(kHighWaterSize)) return std::nullopt;
  const std::string_view bytes(buf, sizeof(buf));
  if (bytes.substr(0, kMagic.size()) != kMagic ||
      codec::DecodeFixed64(buf + 32) != codec::Xxh3_64(bytes.substr(0, 32))) {
    return std::nullopt;
  }
  Head head;
  head.sequence = codec::DecodeFixed64(buf + 8);
  head.chain_hash = codec::Hash128::Decode(buf + 16);
  return head;
}

HighWaterFile::~HighWaterFile() { Close(); }

Status HighWaterFile::Open(const std::string& root) {
  Close();
  path_ = HighWaterPath(root);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::IOError("open " + path_ + ": " + std::strerror(errno));
  return Status::OK();
}

Status HighWaterFile::Record(const Head& head, bool sync) {
  if (fd_ < 0) return Status::OK();
  const std::string bytes = Encode(head);
  if (::pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    return Status::IOError("write " + path_ + ": " + std::strerror(errno));
  }
  if (sync && ::fdatasync(fd_) != 0) {
    return Status::IOError("sync " + path_ + ": " + std::strerror(errno));
  }
  return Status::OK();
}

void HighWaterFile::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace starlog::engine
