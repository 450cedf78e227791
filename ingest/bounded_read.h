#pragma once

// A whole document from outside (a bundle's bundle.json, a butler
// export.yaml), read only when it is a regular file within a size bound.

#include <cstddef>
#include <string>

#include "starlog/result.h"

namespace starlog::ingest::internal {

// The bytes of "path": InvalidArgument if it is not a regular file or is
// larger than "max_bytes", IOError if it cannot be read.
Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes);

}  // namespace starlog::ingest::internal
