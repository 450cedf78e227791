#include "starlog/engine/artifact_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace starlog::engine {

Result<codec::Artifact> DescribeFile(const std::string& root, const std::string& relative_path) {
  const std::string full = root + "/" + relative_path;
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(full.c_str(), "rb"), &std::fclose);
  if (!file) {
    if (errno == ENOENT) return Status::NotFound("no file " + full);
    return Status::IOError("open " + full + ": " + std::strerror(errno));
  }
  codec::Xxh3Wide hash;
  codec::Artifact artifact;
  artifact.path = relative_path;
  std::string buffer(1 << 20, '\0');
  while (true) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n > 0) {
      hash.Update(std::string_view(buffer.data(), n));
      artifact.size += n;
    }
    if (n < buffer.size()) {
      if (std::ferror(file.get()))
        return Status::IOError("read " + full + ": " + std::strerror(errno));
      break;
    }
  }
  artifact.checksum = hash.Digest();
  return artifact;
}

}  // namespace starlog::engine
