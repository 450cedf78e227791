#include "starlog/ingest/transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// Copies "from" to "to" through "to.starlog-partial", fsynced, renamed.
Status CopyAtomically(const std::string& from, const std::string& to) {
  const std::string temp = to + std::string(engine::kPartialCopySuffix);
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("open " + from);
  const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return Errno("create " + temp);
  }
  Status s;
  char buffer[1 << 16];
  while (s.ok()) {
    const ssize_t n = ::read(in, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      s = Errno("read " + from);
      break;
    }
    for (ssize_t done = 0; done < n && s.ok();) {
      const ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno != EINTR) s = Errno("write " + temp);
        continue;
      }
      done += w;
    }
  }
  if (s.ok() && ::fsync(out) != 0) s = Errno("fsync " + temp);
  ::close(in);
  ::close(out);
  if (s.ok() && std::rename(temp.c_str(), to.c_str()) != 0) s = Errno("rename " + temp);
  if (!s.ok()) std::remove(temp.c_str());
  return s;
}

}  // namespace

std::optional<TransferMode> TransferModeFromName(std::string_view name) {
  for (TransferMode m :
       {TransferMode::kDirect, TransferMode::kCopy, TransferMode::kMove, TransferMode::kHardlink,
        TransferMode::kSymlink, TransferMode::kRelsymlink}) {
    if (TransferModeName(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view TransferModeName(TransferMode mode) {
  switch (mode) {
    case TransferMode::kDirect:
      return "direct";
    case TransferMode::kCopy:
      return "copy";
    case TransferMode::kMove:
      return "move";
    case TransferMode::kHardlink:
      return "hardlink";
    case TransferMode::kSymlink:
      return "symlink";
    case TransferMode::kRelsymlink:
      return "relsymlink";
  }
  return "?";
}

Result<std::string> DirectPath(const std::string& source, const std::string& root) {
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Status::IOError("resolve repository root " + root + ": " + ec.message());
  STARLOG_RETURN_IF_ERROR(engine::CheckRegularFile(source));
  const fs::path real_src = fs::canonical(source, ec);
  if (ec) return Status::IOError("resolve " + codec::Printable(source) + ": " + ec.message());
  const fs::path inside = real_src.lexically_relative(base);
  if (inside.empty() || *inside.begin() == ".." || inside.is_absolute()) {
    return Status::InvalidArgument(codec::Printable(source) + " is not under the repository root " +
                                   root + "; direct transfer registers files in place");
  }
  if (*inside.begin() == engine::kPrivateFolder) {
    return Status::InvalidArgument(codec::Printable(source) + " is inside the registry's own " +
                                   std::string(engine::kPrivateFolder) + " folder");
  }
  const std::string rel = inside.generic_string();
  STARLOG_RETURN_IF_ERROR(engine::ResolveFileInRoot(base.string(), rel).status());
  return rel;
}

namespace {

// PlaceFile, or with "check_only" every check it makes before it touches
// anything (a dry run's), without reading a file that is not already there.
Result<Placed> PlaceOrCheck(const std::string& source, const std::string& root,
                            const std::string& relative, TransferMode mode, bool check_only) {
  std::error_code ec;
  const fs::path src = fs::absolute(source, ec);
  if (ec) return Status::IOError("resolve " + codec::Printable(source) + ": " + ec.message());
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Status::IOError("resolve repository root " + root + ": " + ec.message());
  Placed placed;
  placed.source = src.string();
  placed.mode = mode;
  // Everything is checked before anything is touched: the source is a regular
  // file (a FIFO would block), and never the registry's own.
  STARLOG_RETURN_IF_ERROR(engine::CheckRegularFile(src.string()));
  const fs::path real_src = fs::canonical(src, ec);
  if (ec) return Status::IOError("resolve " + codec::Printable(source) + ": " + ec.message());
  const fs::path src_in_root = real_src.lexically_relative(base);
  const bool src_under_root =
      !src_in_root.empty() && *src_in_root.begin() != ".." && !src_in_root.is_absolute();
  if (src_under_root && *src_in_root.begin() == engine::kPrivateFolder) {
    return Status::InvalidArgument(codec::Printable(source) + " is inside the registry's own " +
                                   std::string(engine::kPrivateFolder) + " folder");
  }
  if (mode == TransferMode::kDirect) {
    STARLOG_ASSIGN_OR_RETURN(const std::string rel, DirectPath(source, root));
    if (check_only) return placed;
    STARLOG_ASSIGN_OR_RETURN(placed.artifact, engine::DescribeFile(base.string(), rel));
    return placed;
  }
  STARLOG_RETURN_IF_ERROR(engine::CheckTargetInRoot(base.string(), relative));
  const fs::path target = base / relative;
  if (fs::exists(fs::symlink_status(target, ec))) {
    // Already there: the very file (the source named through the repository,
    // or a hard link of it), or an identical copy. Either way nothing is
    // placed and nothing is removed now; a moved source goes only once the
    // registration is durable (CommitPlace), and never when it is the target.
    if (fs::equivalent(real_src, target, ec)) {
      STARLOG_ASSIGN_OR_RETURN(placed.artifact, engine::DescribeFile(base.string(), relative));
      placed.remove_source_on_commit =
          mode == TransferMode::kMove && fs::canonical(target, ec) != real_src && !ec;
      return placed;
    }
    STARLOG_ASSIGN_OR_RETURN(
        codec::Artifact described,
        engine::DescribeFile(src.parent_path().string(), src.filename().string()));
    placed.artifact = described;
    placed.artifact.path = relative;
    auto resolved = engine::ResolveFileInRoot(base.string(), relative);
    if (!resolved.ok()) {
      return Status::Conflict("something else is at " + codec::Printable(relative) +
                              " in the repository: " + std::string(resolved.status().message()));
    }
    auto there = engine::DescribeFile(base.string(), relative);
    if (there.ok() && there->size == described.size && there->checksum == described.checksum) {
      placed.remove_source_on_commit = mode == TransferMode::kMove;
      return placed;
    }
    return Status::Conflict("a different file is already at " + codec::Printable(relative) +
                            " in the repository");
  }
  if (check_only) return placed;
  STARLOG_ASSIGN_OR_RETURN(
      codec::Artifact described,
      engine::DescribeFile(src.parent_path().string(), src.filename().string()));
  placed.target = target.string();
  placed.artifact = described;
  placed.artifact.path = relative;
  STARLOG_RETURN_IF_ERROR(engine::CreateFolders(target.parent_path().string(), placed.folders));
  // From here on, a failure takes away the folders made for it.
  auto placed_or_undone = [&](Status status) -> Result<Placed> {
    if (status.ok()) return placed;
    engine::RemoveEmptyFolders(placed.folders);
    return status;
  };
  return placed_or_undone([&]() -> Status {
    switch (mode) {
      case TransferMode::kCopy:
        STARLOG_RETURN_IF_ERROR(CopyAtomically(src.string(), target.string()));
        break;
      case TransferMode::kMove:
        if (std::rename(src.c_str(), target.c_str()) != 0) {
          if (errno != EXDEV) return Errno("move " + src.string());
          STARLOG_RETURN_IF_ERROR(CopyAtomically(src.string(), target.string()));
          fs::remove(src, ec);
        }
        break;
      case TransferMode::kHardlink:
        // Of the file itself: link() does not follow a symbolic link, so a
        // source that is one (a repository ingested with symlink) would plant
        // that link, resolved afresh from the target's folder.
        if (::link(real_src.c_str(), target.c_str()) != 0)
          return Errno("hard link " + src.string());
        break;
      case TransferMode::kSymlink:
        if (::symlink(src.c_str(), target.c_str()) != 0) return Errno("symlink " + src.string());
        break;
      case TransferMode::kRelsymlink: {
        const fs::path link = real_src.lexically_relative(target.parent_path());
        if (::symlink(link.c_str(), target.c_str()) != 0) return Errno("symlink " + src.string());
        break;
      }
      case TransferMode::kDirect:
        break;
    }
    return Status::OK();
  }());
}

}  // namespace

Result<Placed> PlaceFile(const std::string& source, const std::string& root,
                         const std::string& relative, TransferMode mode) {
  return PlaceOrCheck(source, root, relative, mode, false);
}

Status CheckPlaceFile(const std::string& source, const std::string& root,
                      const std::string& relative, TransferMode mode) {
  return PlaceOrCheck(source, root, relative, mode, true).status();
}

void UndoPlace(const Placed& placed) {
  if (placed.target.empty()) return;
  std::error_code ec;
  if (placed.mode == TransferMode::kMove) {
    if (std::rename(placed.target.c_str(), placed.source.c_str()) != 0 &&
        fs::copy_file(placed.target, placed.source, ec)) {
      fs::remove(placed.target, ec);
    }
  } else {
    fs::remove(placed.target, ec);
  }
  engine::RemoveEmptyFolders(placed.folders);
}

void UndoPlaced(const std::vector<Placed>& placed) {
  for (auto it = placed.rbegin(); it != placed.rend(); ++it) UndoPlace(*it);
}

void CommitPlace(const Placed& placed) {
  if (!placed.remove_source_on_commit) return;
  std::error_code ec;
  fs::remove(placed.source, ec);  // Best effort: the registered copy is in place.
}

}  // namespace starlog::ingest
