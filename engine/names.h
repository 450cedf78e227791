#pragma once

// Naming rules, so every name stays addressable from a shell, a glob and a
// template.
//
// Collection names: 1 to kMaxCollectionNameLength bytes of letters, digits and
// "_-.+@:/"; "/" separates non-empty segments (no leading, trailing or double
// "/"). Glob characters ("*?[]{}"), spaces and control characters are refused.
//
// Dataset type names: identifiers ("[A-Za-z_][A-Za-z0-9_]*"), optionally
// followed by ".component" parts, as in the Gen3 butler.

#include <string_view>

#include "starlog/status.h"

namespace starlog::engine {

inline constexpr size_t kMaxCollectionNameLength = 256;
inline constexpr size_t kMaxDatasetTypeNameLength = 128;

Status ValidateCollectionName(std::string_view name);
Status ValidateDatasetTypeName(std::string_view name);
// A dimension or record-field name: an identifier.
Status ValidateIdentifier(std::string_view what, std::string_view name);

}  // namespace starlog::engine
