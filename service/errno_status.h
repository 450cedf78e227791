#pragma once

// A failed system call on a file, as a Status: "<what> '<path>': <strerror>",
// PermissionDenied for EACCES and EPERM, IOError otherwise. Reads errno:
// call it before anything else can change it.

#include <string>
#include <string_view>

#include "starlog/status.h"

namespace starlog::service {

Status ErrnoStatus(std::string_view what, const std::string& path);

}  // namespace starlog::service
