#include "starlog/engine/names.h"

#include <string>

#include "starlog/codec/text.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

using codec::Quoted;

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
  // A RUN's name is a folder in file templates ({run}): no segment may climb
  // or stand still, and the first may not be the registry's own folder.
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view segment = name.substr(start, slash - start);
    if (segment == "." || segment == "..") {
      return Status::InvalidArgument("collection name " + Quoted(name) + " has a " +
                                     Quoted(segment) + " segment");
    }
    if (start == 0 && segment == kPrivateFolder) {
      return Status::InvalidArgument("collection name " + Quoted(name) + " starts with " +
                                     Quoted(kPrivateFolder) +
                                     ", the registry's own folder in the repository");
    }
    start = slash + 1;
  }
  return Status::OK();
}

Status ValidateText(std::string_view what, std::string_view text, size_t max_length,
                    bool multiline) {
  if (text.size() > max_length) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(max_length));
  }
  // Shown in part: the text may be long, and escaped: it may be binary.
  const std::string shown = Quoted(text.substr(0, 60)) + (text.size() > 60 ? "..." : "");
  if (const size_t bad = codec::InvalidUtf8Offset(text); bad != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " " + shown +
                                   " is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 =
        c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    const bool allowed = multiline && (c == '\n' || c == '\t');
    if (((c < 0x20 || c == 0x7F) && !allowed) || c1) {
      return Status::InvalidArgument(std::string(what) + " " + shown +
                                     " has a control character at byte offset " +
                                     std::to_string(i));
    }
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
