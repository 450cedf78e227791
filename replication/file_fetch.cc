#include "replication/file_fetch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "replication/handshake.h"
#include "starlog/codec/hash.h"
#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::replication {

namespace {

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write " + path + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// One attempt. Fills "problem" when what arrived is not the file recorded.
Status FetchOnce(Channel& channel, const std::string& target, const codec::Uuid& dataset_id,
                 const codec::Artifact& artifact, FetchOutcome* outcome) {
  const std::string temp = target + std::string(engine::kPartialCopySuffix);
  STARLOG_RETURN_IF_ERROR(channel.Send(FileRequest{artifact.path, dataset_id}));
  Fd out;
  out.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out.fd < 0) return Status::IOError("create " + temp + ": " + std::strerror(errno));
  codec::Xxh3Wide hash;
  uint64_t size = 0;
  bool missing = false;
  Status s;
  while (s.ok()) {
    auto message = channel.Receive();
    if (!message.ok()) {
      s = message.status();
      break;
    }
    const auto* chunk = std::get_if<FileChunk>(&*message);
    if (chunk == nullptr) {
      s = Unexpected(*message, "file_chunk", channel.peer());
      break;
    }
    if (chunk->offset != size) {
      s = Status::Corruption("file chunk of " + artifact.path + " out of order");
      break;
    }
    missing = chunk->missing;
    // A primary that sends more than the registry records is broken or
    // hostile: stop at once rather than fill the disk, and drop the connection
    // (the rest of its stream is unread).
    if (chunk->data.size() > artifact.size - size) {
      outcome->problem = "the primary sent more than the " + std::to_string(artifact.size) +
                         " bytes recorded; stopped and discarded";
      s = Status::Corruption("file " + codec::Printable(artifact.path) + ": " + outcome->problem);
      break;
    }
    hash.Update(chunk->data);
    size += chunk->data.size();
    outcome->bytes += chunk->data.size();
    s = WriteAll(out.fd, chunk->data, temp);
    if (chunk->last) break;
  }
  if (s.ok() && !missing && size == artifact.size && hash.Digest() == artifact.checksum) {
    if (::fsync(out.fd) != 0) s = Status::IOError("fsync " + temp + ": " + std::strerror(errno));
    if (s.ok() && std::rename(temp.c_str(), target.c_str()) != 0) {
      s = Status::IOError("rename " + temp + ": " + std::strerror(errno));
    }
    if (s.ok()) {
      outcome->copied = true;
      outcome->problem.clear();
      return s;
    }
  }
  std::remove(temp.c_str());  // Nothing unverified is kept.
  if (!s.ok()) return s;
  outcome->problem = missing
                         ? "the primary has no such file"
                         : "size or checksum differs from the registry's (" + std::to_string(size) +
                               " bytes received, " + std::to_string(artifact.size) + " recorded)";
  return Status::OK();
}

// Whether "<root>/<artifact.path>" exists and matches "artifact".
bool HasIntactFile(const std::string& root, const codec::Artifact& artifact) {
  auto found = engine::DescribeFile(root, artifact.path);
  return found.ok() && found->size == artifact.size && found->checksum == artifact.checksum;
}

}  // namespace

Result<FetchOutcome> FetchFile(Channel& channel, const std::string& root,
                               const codec::Uuid& dataset_id, const codec::Artifact& artifact,
                               int attempts) {
  FetchOutcome outcome;
  if (const Status s = engine::CheckTargetInRoot(root, artifact.path); !s.ok()) {
    outcome.problem = "not a path inside the repository: " + std::string(s.message());
    return outcome;
  }
  if (HasIntactFile(root, artifact)) return outcome;
  const std::string target = root + "/" + artifact.path;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
  if (ec) return Status::IOError("create the folder of " + target + ": " + ec.message());
  for (int attempt = 0; attempt < attempts; ++attempt) {
    STARLOG_RETURN_IF_ERROR(FetchOnce(channel, target, dataset_id, artifact, &outcome));
    if (outcome.copied) return outcome;
  }
  return outcome;
}

}  // namespace starlog::replication
