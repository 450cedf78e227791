#include "engine/names.h"

#include <string>

namespace starlog::engine {

namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  if (!(IsAlnum(s[0]) || s[0] == '_') || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '_') return false;
  }
  return true;
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Status ValidateCollectionName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("collection name is empty");
  if (name.size() > kMaxCollectionNameLength) {
    return Status::InvalidArgument("collection name " + Quoted(name.substr(0, 40)) + "... is " +
                                   std::to_string(name.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxCollectionNameLength));
  }
  for (char c : name) {
    if (IsAlnum(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '@' || c == ':' ||
        c == '/') {
      continue;
    }
    std::string shown = (c >= 0x20 && c < 0x7f)
                            ? std::string("'") + c + "'"
                            : "byte " + std::to_string(static_cast<unsigned char>(c));
    return Status::InvalidArgument("collection name " + Quoted(name) + " contains " + shown +
                                   "; allowed are letters, digits and _-.+@:/");
  }
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    return Status::InvalidArgument("collection name " + Quoted(name) +
                                   " has an empty '/'-separated segment");
  }
  return Status::OK();
}

Status ValidateDatasetTypeName(std::string_view name) {
  if (name.size() > kMaxDatasetTypeNameLength) {
    return Status::InvalidArgument("dataset type name " + Quoted(name) + " is longer than " +
                                   std::to_string(kMaxDatasetTypeNameLength) + " bytes");
  }
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot - start);
    if (!IsIdentifier(part)) {
      return Status::InvalidArgument("dataset type name " + Quoted(name) +
                                     " is not of the form name[.component...] with identifiers");
    }
    if (dot == std::string_view::npos) return Status::OK();
    start = dot + 1;
  }
}

Status ValidateIdentifier(std::string_view what, std::string_view name) {
  if (!IsIdentifier(name)) {
    return Status::InvalidArgument(std::string(what) + " " + Quoted(name) +
                                   " is not an identifier (letters, digits, _)");
  }
  return Status::OK();
}

}  // namespace starlog::engine
