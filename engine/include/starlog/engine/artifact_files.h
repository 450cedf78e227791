#pragma once

// The files behind datasets: describing one on disk (size and XXH3-128), so
// that what the registry records is what the file holds.

#include <string>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::engine {

// Reads "<root>/<relative_path>" and returns its artifact record. NotFound if
// the file is missing; IOError if it cannot be read.
Result<codec::Artifact> DescribeFile(const std::string& root, const std::string& relative_path);

}  // namespace starlog::engine
