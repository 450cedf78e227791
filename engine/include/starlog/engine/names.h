#pragma once

// Naming rules, so every name stays addressable from a shell, a glob and a
// template.
//
// Collection names: 1 to kMaxCollectionNameLength bytes of UTF-8: ASCII
// letters, digits and "_-.+@:/", and characters past ASCII that show (the
// butler's "tésτ"; not spaces, zero widths, direction marks, private use);
// "/" separates non-empty segments (no leading, trailing or double "/"),
// none of them "." or "..", the first not ".starlog" (a RUN's name is a
// folder in file templates). Glob characters ("*?[]{}"), spaces and control
// characters are refused.
//
// Other text stored in the registry (docs, storage classes, record values,
// actors) is valid UTF-8 without control characters (C0, DEL, C1; a doc may
// hold newlines and tabs), within a size limit: checked as events apply, so
// every writer (CLI, service, replica, rebuild) is held to it, and --json
// output is always valid JSON.
//
// Dataset type names: identifiers ("[A-Za-z_][A-Za-z0-9_]*"), optionally
// followed by ".component" parts, as in the Gen3 butler.

#include <string_view>

#include "starlog/status.h"

namespace starlog::engine {

inline constexpr size_t kMaxCollectionNameLength = 256;
inline constexpr size_t kMaxDatasetTypeNameLength = 128;
inline constexpr size_t kMaxDocLength = 64 << 10;
inline constexpr size_t kMaxRecordValueLength = 64 << 10;  // A string field of a record.
inline constexpr size_t kMaxShortTextLength = 256;         // Storage class, actor.

Status ValidateCollectionName(std::string_view name);
Status ValidateDatasetTypeName(std::string_view name);
// A dimension or record-field name: an identifier.
Status ValidateIdentifier(std::string_view what, std::string_view name);
// "text", called "what" in messages: at most "max_length" bytes of valid
// UTF-8 without control characters ("multiline": newlines and tabs
// allowed). InvalidArgument naming the byte offset of the first bad byte.
Status ValidateText(std::string_view what, std::string_view text, size_t max_length,
                    bool multiline = false);

}  // namespace starlog::engine
