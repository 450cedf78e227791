#pragma once

#include <string>

#include "starlog/status.h"

// Whether a status's message contains "text" (for error-message checks).
inline bool Says(const starlog::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}
