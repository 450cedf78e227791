#include "starlog/engine/repo_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "starlog/codec/text.h"

namespace starlog::engine {

using codec::Quoted;

namespace fs = std::filesystem;

namespace {

// What kind of file "st" describes, for an error message.
std::string_view KindOf(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a folder";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}

// Whether "inner" (a real path) is "outer" (a real path) or lies below it.
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // A trailing separator.
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

// Checks that real path "resolved" of "<root>/<relative>" is not in the
// root's private folder.
Status CheckOutsidePrivate(const fs::path& real_root, const fs::path& resolved,
                           std::string_view relative) {
  if (IsWithin(resolved, real_root / kPrivateFolder)) {
    return Status::InvalidArgument("path " + Quoted(relative) + " leads into the registry's own " +
                                   std::string(kPrivateFolder) + " folder");
  }
  return Status::OK();
}

// Checks that real path "resolved" of "<root>/<relative>" lies in the root
// and outside its private folder.
Status CheckResolvedInRoot(const fs::path& real_root, const fs::path& resolved,
                           std::string_view relative) {
  if (!IsWithin(resolved, real_root)) {
    return Status::InvalidArgument("path " + Quoted(relative) +
                                   " leads outside the repository (to " +
                                   codec::Printable(resolved.string()) + ")");
  }
  return CheckOutsidePrivate(real_root, resolved, relative);
}

Result<fs::path> RealRoot(const std::string& root) {
  std::error_code ec;
  fs::path real = fs::canonical(root, ec);
  if (ec) return Status::IOError("resolve repository root " + root + ": " + ec.message());
  return real;
}

// The real path of the file "<real_root>/<relative>": NotFound if there is
// none, links followed.
Result<fs::path> ResolveFile(const fs::path& real_root, std::string_view relative) {
  const fs::path full = real_root / fs::path(std::string(relative));
  std::error_code ec;
  fs::path resolved = fs::canonical(full, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return Status::NotFound("no file " + codec::Printable(full.string()));
    }
    return Status::IOError("resolve " + codec::Printable(full.string()) + ": " + ec.message());
  }
  return resolved;
}

}  // namespace

bool IsPartialCopy(std::string_view path) {
  // The service's temporaries add a unique tail: ".starlog-partial-XXXXXX".
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.find(kPartialCopySuffix) != std::string_view::npos;
}

Status ValidateRelativePath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("path is empty");
  if (path.size() > kMaxRelativePathLength) {
    return Status::InvalidArgument("path " + Quoted(path.substr(0, 60)) + "... is " +
                                   std::to_string(path.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxRelativePathLength));
  }
  if (const size_t bad = codec::InvalidUtf8Offset(path); bad != std::string_view::npos) {
    return Status::InvalidArgument("path " + Quoted(path) + " is not valid UTF-8 (byte offset " +
                                   std::to_string(bad) + ")");
  }
  for (size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7F) {
      return Status::InvalidArgument("path " + Quoted(path) + " has a control character at byte " +
                                     std::to_string(i));
    }
  }
  if (path.front() == '/') {
    return Status::InvalidArgument("path " + Quoted(path) +
                                   " is absolute; it must be relative to the repository root");
  }
  size_t start = 0;
  bool first = true;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("path " + Quoted(path) +
                                     " has an empty, '.' or '..' component");
    }
    if (first && part == kPrivateFolder) {
      return Status::InvalidArgument("path " + Quoted(path) + " is inside the registry's own " +
                                     std::string(kPrivateFolder) + " folder");
    }
    first = false;
    start = slash + 1;
  }
  return Status::OK();
}

Result<std::string> ResolveFileInRoot(const std::string& root, std::string_view relative) {
  STARLOG_RETURN_IF_ERROR(ValidateRelativePath(relative));
  STARLOG_ASSIGN_OR_RETURN(fs::path real_root, RealRoot(root));
  STARLOG_ASSIGN_OR_RETURN(fs::path resolved, ResolveFile(real_root, relative));
  STARLOG_RETURN_IF_ERROR(CheckResolvedInRoot(real_root, resolved, relative));
  struct stat st;
  if (::stat(resolved.c_str(), &st) != 0) {
    return Status::IOError("stat " + codec::Printable(resolved.string()) + ": " +
                           std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("path " + Quoted(relative) + " is " + std::string(KindOf(st)) +
                                   "; a dataset's file must be a regular file");
  }
  return resolved.string();
}

Status CheckTargetInRoot(const std::string& root, std::string_view relative) {
  STARLOG_RETURN_IF_ERROR(ValidateRelativePath(relative));
  STARLOG_ASSIGN_OR_RETURN(fs::path real_root, RealRoot(root));
  // The deepest folder on the way that exists decides where a write lands.
  fs::path folder = (real_root / fs::path(std::string(relative))).parent_path();
  std::error_code ec;
  while (!fs::exists(folder, ec)) {
    if (folder == real_root || !folder.has_parent_path()) break;
    folder = folder.parent_path();
  }
  const fs::path resolved = fs::canonical(folder, ec);
  if (ec) {
    return Status::IOError("resolve " + codec::Printable(folder.string()) + ": " + ec.message());
  }
  return CheckResolvedInRoot(real_root, resolved, relative);
}

Status CheckArtifactInRoot(const std::string& root, std::string_view relative) {
  STARLOG_RETURN_IF_ERROR(CheckTargetInRoot(root, relative));
  STARLOG_ASSIGN_OR_RETURN(fs::path real_root, RealRoot(root));
  STARLOG_ASSIGN_OR_RETURN(fs::path resolved, ResolveFile(real_root, relative));
  return CheckOutsidePrivate(real_root, resolved, relative);
}

Status CheckRegularFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("no file " + codec::Printable(path));
    return Status::IOError("stat " + codec::Printable(path) + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(codec::Printable(path) + " is " + std::string(KindOf(st)) +
                                   "; a dataset's file must be a regular file");
  }
  return Status::OK();
}

Status CreateFolders(const std::string& folder, std::vector<std::string>& created) {
  std::vector<fs::path> missing;  // Deepest first.
  std::error_code ec;
  for (fs::path f = fs::path(folder).lexically_normal();
       f.has_relative_path() && !fs::exists(f, ec); f = f.parent_path()) {
    missing.push_back(f);
  }
  std::vector<std::string> made;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (fs::create_directory(*it, ec)) {
      made.push_back(it->string());
    } else if (ec) {
      RemoveEmptyFolders(made);  // Failing part way leaves none of them.
      return Status::IOError("create " + codec::Printable(it->string()) + ": " + ec.message());
    }
  }
  created.insert(created.end(), made.begin(), made.end());
  return Status::OK();
}

void RemoveEmptyFolders(const std::vector<std::string>& folders) {
  // rmdir removes only an empty folder: one something else has filled stays.
  for (auto it = folders.rbegin(); it != folders.rend(); ++it) ::rmdir(it->c_str());
}

}  // namespace starlog::engine
