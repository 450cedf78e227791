#pragma once

// The files behind datasets: describing one on disk (size and XXH3-128), so
// that what the registry records is what the file holds.

#include <string>

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

}  // namespace starlog::engine
