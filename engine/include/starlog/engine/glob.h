#pragma once

// Shell-style glob patterns for collection and dataset type names:
// "*" matches any run of characters (including "/"), "?" one character,
// "[abc]", "[a-z]" and "[!abc]" one character of (or not of) a set.

#include <string_view>

#include "starlog/status.h"

namespace starlog::engine {

bool HasGlobCharacters(std::string_view text);

// Returns InvalidArgument for a malformed pattern (an unclosed "[").
Status ValidateGlob(std::string_view pattern);

// Whether "name" matches "pattern". A malformed pattern matches nothing.
bool GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace starlog::engine
