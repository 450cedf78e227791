#include "ingest/bounded_read.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "starlog/engine/repo_paths.h"

namespace starlog::ingest::internal {

Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes) {
  STARLOG_RETURN_IF_ERROR(engine::CheckRegularFile(path));
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot read " + path + ": " + ec.message());
  if (size > max_bytes) {
    return Status::InvalidArgument(path + " is larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Status::IOError("cannot read " + path);
  return text.str();
}

}  // namespace starlog::ingest::internal
