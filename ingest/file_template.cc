#include "starlog/ingest/file_template.h"

#include <algorithm>
#include <filesystem>

#include "starlog/codec/numbers.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::ingest {

Result<FileTemplate> FileTemplate::Parse(std::string_view text) {
  FileTemplate t;
  t.text_ = std::string(text);
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("file template '" + std::string(text) + "': " + why);
  };
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == std::string_view::npos) {
      t.parts_.push_back(Literal(text.substr(i)));
      break;
    }
    if (open > i) t.parts_.push_back(Literal(text.substr(i, open - i)));
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) return bad("a '{' is not closed");
    std::string inside(text.substr(open + 1, close - open - 1));
    Part p;
    const size_t colon = inside.find(':');
    p.field = inside.substr(0, colon);
    if (p.field.empty()) return bad("a field has no name");
    if (colon != std::string::npos) {
      std::string spec = inside.substr(colon + 1);
      if (!spec.empty() && spec.back() == '?') {
        p.optional = true;
        spec.pop_back();
      }
      if (!spec.empty() && spec.back() == 'd') {
        p.integer = true;
        spec.pop_back();
      } else if (!spec.empty() && spec.back() == 's') {
        spec.pop_back();
      }
      if (!spec.empty()) {
        if (spec.find_first_not_of("0123456789") != std::string::npos || spec.size() > 2) {
          return bad("bad format '" + inside.substr(colon + 1) + "' (e.g. 08d, ?)");
        }
        p.zero_pad = spec[0] == '0';
        p.width = static_cast<int>(*codec::ParseUint(spec));  // At most two digits, checked above.
      }
    }
    t.parts_.push_back(std::move(p));
    i = close + 1;
  }
  if (t.parts_.empty()) return bad("it is empty");
  return t;
}

Result<std::string> FileTemplate::Format(const codec::FieldMap& values,
                                         const std::string& extension) const {
  std::string out;
  for (const Part& p : parts_) {
    if (p.field.empty()) {
      out += p.literal;
      continue;
    }
    auto it = values.find(p.field);
    if (it == values.end()) {
      if (!p.optional) {
        return Status::InvalidArgument("file template '" + text_ + "' needs '" + p.field +
                                       "', which this dataset does not have");
      }
      if (!out.empty() && std::string_view("_-.").find(out.back()) != std::string_view::npos) {
        out.pop_back();
      }
      continue;
    }
    std::string v;
    if (const auto* i = std::get_if<int64_t>(&it->second)) {
      v = std::to_string(*i);
      if (p.zero_pad && static_cast<int>(v.size()) < p.width && *i >= 0) {
        v.insert(0, static_cast<size_t>(p.width) - v.size(), '0');
      }
    } else {
      v = std::get<std::string>(it->second);
      if (p.field != "run") std::replace(v.begin(), v.end(), '/', '_');
    }
    if (!p.zero_pad && static_cast<int>(v.size()) < p.width) {
      v.insert(0, static_cast<size_t>(p.width) - v.size(), ' ');
    }
    out += v;
  }
  // Components emptied by missing optional fields, and separators they left
  // at the start of a component.
  std::string path;
  size_t begin = 0;
  while (begin <= out.size()) {
    size_t end = out.find('/', begin);
    if (end == std::string::npos) end = out.size();
    std::string part = out.substr(begin, end - begin);
    while (!part.empty() && std::string_view("_-").find(part.front()) != std::string_view::npos) {
      part.erase(part.begin());
    }
    if (!part.empty() && part != "." && part != "..") {
      if (!path.empty()) path += '/';
      path += part;
    }
    begin = end + 1;
  }
  if (path.empty()) return Status::InvalidArgument("file template '" + text_ + "' gave no path");
  const size_t slash = path.rfind('/');
  const std::string last = path.substr(slash == std::string::npos ? 0 : slash + 1);
  if (last.find('.') == std::string::npos) path += extension;
  // Values come from headers and records: whatever they hold, the path they
  // make is an artifact path or nothing (never into .starlog, never out).
  if (Status s = engine::ValidateRelativePath(path); !s.ok()) {
    return s.WithContext("file template '" + text_ + "'");
  }
  return path;
}

Status FileTemplate::CheckUnique(const std::vector<std::string>& required_keys) const {
  std::vector<std::string> wanted = required_keys;
  wanted.push_back("run");
  for (const std::string& key : wanted) {
    const bool present = std::any_of(parts_.begin(), parts_.end(),
                                     [&](const Part& p) { return p.field == key && !p.optional; });
    if (!present) {
      return Status::InvalidArgument("file template '" + text_ + "' does not use '" + key +
                                     "' as a required field: two datasets could share a path");
    }
  }
  return Status::OK();
}

std::string FileExtension(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  for (const char* known : {".fits.fz", ".fits.gz", ".fits.Z", ".fits", ".fz", ".fit"}) {
    const std::string k = known;
    if (name.size() > k.size() && name.compare(name.size() - k.size(), k.size(), k) == 0) {
      return k;
    }
  }
  const size_t dot = name.find('.');
  return dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
}

}  // namespace starlog::ingest
