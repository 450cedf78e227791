#include "starlog/engine/artifact_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "starlog/codec/text.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/engine/unique_fd.h"

namespace starlog::engine {

Result<codec::Artifact> DescribeFile(const std::string& root, const std::string& relative_path) {
  const std::string full = root + "/" + relative_path;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  // It changes nothing for a regular file, and nothing else is read.
  const UniqueFd file(::open(full.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
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

std::string_view FileProblemName(FileProblem::Kind kind) {
  switch (kind) {
    case FileProblem::Kind::kMissing:
      return "missing";
    case FileProblem::Kind::kSize:
      return "size";
    case FileProblem::Kind::kChecksum:
      return "checksum";
    case FileProblem::Kind::kUnreadable:
      return "unreadable";
  }
  return "?";
}

std::optional<FileProblem> CheckRecordedFile(const std::string& root, const codec::Uuid& id,
                                             const codec::Artifact& artifact, bool contents) {
  namespace fs = std::filesystem;
  const auto problem = [&](FileProblem::Kind kind, std::string detail) {
    return std::optional<FileProblem>(FileProblem{kind, id, artifact, std::move(detail)});
  };
  // A recorded path passed the same rule when it was appended; checked
  // again before the file is touched, as every path from the log is.
  if (Status s = ValidateRelativePath(artifact.path); !s.ok()) {
    return problem(FileProblem::Kind::kUnreadable, std::string(s.message()));
  }
  const fs::path full = fs::path(root) / artifact.path;
  std::error_code ec;
  const auto size = fs::file_size(full, ec);
  if (ec) {
    // Its own error_code, so that the detail is why the size could not be read.
    std::error_code exists_ec;
    if (!fs::exists(full, exists_ec)) return problem(FileProblem::Kind::kMissing, "no such file");
    return problem(FileProblem::Kind::kUnreadable, ec.message());
  }
  if (size != artifact.size) {
    return problem(FileProblem::Kind::kSize,
                   std::to_string(size) + " bytes, " + std::to_string(artifact.size) + " recorded");
  }
  if (!contents) return std::nullopt;
  auto found = DescribeFile(root, artifact.path);
  if (!found.ok()) {
    return problem(FileProblem::Kind::kUnreadable, std::string(found.status().message()));
  }
  if (found->checksum != artifact.checksum) {
    return problem(FileProblem::Kind::kChecksum, "XXH3-128 " + found->checksum.ToHex() + ", " +
                                                     artifact.checksum.ToHex() + " recorded");
  }
  return std::nullopt;
}

}  // namespace starlog::engine
