#pragma once

// The files behind datasets: describing one on disk (size and XXH3-128), so
// that what the registry records is what the file holds, and checking a
// recorded one against the disk.

#include <optional>
#include <string>
#include <string_view>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::engine {

// Reads "<root>/<relative_path>" and returns its artifact record. NotFound if
// the file is missing; InvalidArgument if it is not a regular file once links
// are followed (a FIFO or a device is never read: it could block or never
// end); IOError if it cannot be read. Does not check "relative_path": for
// paths from outside use DescribeFileInRoot.
Result<codec::Artifact> DescribeFile(const std::string& root, const std::string& relative_path);

// DescribeFile for a path given as a repository-relative artifact path (a
// CSV or JSON row, a bundle's manifest): "relative" must pass
// ValidateRelativePath (repo_paths.h), the folders on its way must resolve
// inside "root", and the file must not resolve into "<root>/.starlog". The
// file itself may be a symbolic link out of the root, as the symlink
// transfer modes make. Checked before the file is opened.
Result<codec::Artifact> DescribeFileInRoot(const std::string& root, const std::string& relative);

// What is wrong with a dataset's file, as recorded against as found.
struct FileProblem {
  enum class Kind { kMissing, kSize, kChecksum, kUnreadable };
  Kind kind = Kind::kMissing;
  codec::Uuid id;
  codec::Artifact artifact;  // As recorded.
  std::string detail;
};

std::string_view FileProblemName(FileProblem::Kind kind);

// Checks the file "artifact" records for dataset "id" under "root": there
// (kMissing), of the recorded size (kSize) and, with "contents", of the
// recorded XXH3-128 (kChecksum), which reads the whole file; a path that
// fails ValidateRelativePath or a file that cannot be read is kUnreadable.
// Without "contents" it costs one stat. Returns nullopt when the file is intact.
std::optional<FileProblem> CheckRecordedFile(const std::string& root, const codec::Uuid& id,
                                             const codec::Artifact& artifact, bool contents);

}  // namespace starlog::engine
