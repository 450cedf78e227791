#include "service/placement.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "starlog/codec/hash.h"
#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::service {

namespace fs = std::filesystem;

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

std::string KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a pipe";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

bool SameTime(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Reads all of "fd" from offset 0 (pread: the client shares the descriptor's
// offset), hashing it and, with "out", writing it there. The file must not
// change meanwhile: its size and modification time are compared before and
// after, and the bytes read against the size.
Result<codec::Artifact> ReadWhole(int fd, const std::string& name, int out = -1,
                                  const std::string& out_name = "") {
  struct stat before;
  if (::fstat(fd, &before) != 0) return Errno("fstat " + name);
  codec::Xxh3Wide sum;
  char buffer[1 << 16];
  uint64_t offset = 0;
  const uint64_t size = static_cast<uint64_t>(before.st_size);
  // One byte past the size is enough to see that it grew: a file that keeps
  // growing is never read to its end.
  while (offset <= size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof(buffer), size + 1 - offset));
    const ssize_t n = ::pread(fd, buffer, want, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read " + name);
    }
    if (n == 0) break;
    sum.Update(std::string_view(buffer, static_cast<size_t>(n)));
    for (ssize_t done = 0; out >= 0 && done < n;) {
      const ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Errno("write " + out_name);
      }
      done += w;
    }
    offset += static_cast<uint64_t>(n);
  }
  struct stat after;
  if (::fstat(fd, &after) != 0) return Errno("fstat " + name);
  if (offset != size || static_cast<uint64_t>(after.st_size) != size ||
      !SameTime(before.st_mtim, after.st_mtim)) {
    return Status::InvalidArgument(name + " changed while the service read it (" +
                                   std::to_string(size) + " bytes, then " +
                                   std::to_string(after.st_size) +
                                   "); nothing of it was kept: write it whole, then ingest it");
  }
  codec::Artifact artifact;
  artifact.size = size;
  artifact.checksum = sum.Digest();
  return artifact;
}

// The checks every descriptor passes before any file is touched: a regular
// file (a pipe or a device could block or never end; a folder has no
// bytes), open for reading.
Status CheckDescriptor(int fd, const std::string& name, struct stat* st) {
  if (::fstat(fd, st) != 0) return Errno("fstat " + name);
  if (!S_ISREG(st->st_mode)) {
    return Status::InvalidArgument(name + " is " + KindOf(st->st_mode) +
                                   ", not a regular file: the service places regular files only");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return Errno("fcntl " + name);
  if ((flags & O_PATH) != 0 || (flags & O_ACCMODE) == O_WRONLY) {
    return Status::InvalidArgument(name +
                                   " is not open for reading: the service reads the bytes "
                                   "from the descriptor, so open it read-only");
  }
  return Status::OK();
}

bool SameInode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// What is at "target" already, if anything: the descriptor's very file, or
// identical bytes, are taken as they are (nullopt: nothing there).
Result<std::optional<codec::Artifact>> AlreadyThere(const std::string& root,
                                                    const std::string& relative,
                                                    const fs::path& target, int fd,
                                                    const struct stat& st,
                                                    const std::string& name) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(target, ec))) return std::optional<codec::Artifact>();
  struct stat there;
  if (::stat(target.c_str(), &there) == 0 && SameInode(there, st)) {
    STARLOG_ASSIGN_OR_RETURN(codec::Artifact a, ReadWhole(fd, name));
    a.path = relative;
    return std::optional<codec::Artifact>(a);
  }
  auto resolved = engine::ResolveFileInRoot(root, relative);
  if (!resolved.ok()) {
    return Status::Conflict("something else is at " + codec::Printable(relative) +
                            " in the repository: " + std::string(resolved.status().message()));
  }
  STARLOG_ASSIGN_OR_RETURN(codec::Artifact mine, ReadWhole(fd, name));
  auto existing = engine::DescribeFile(root, relative);
  if (existing.ok() && existing->size == mine.size && existing->checksum == mine.checksum) {
    mine.path = relative;
    return std::optional<codec::Artifact>(mine);
  }
  return Status::Conflict("a different file is already at " + codec::Printable(relative) +
                          " in the repository");
}

// Copies "fd" to "target" through a temporary name beside it, fsynced, then
// renamed into place without replacing anything.
Result<codec::Artifact> CopyIn(int fd, const fs::path& target, const std::string& name) {
  std::string temp = target.string() + std::string(engine::kPartialCopySuffix) + "-XXXXXX";
  const int out = ::mkostemp(temp.data(), O_CLOEXEC);
  if (out < 0) return Errno("create " + temp);
  auto artifact = ReadWhole(fd, name, out, temp);
  Status s = artifact.status();
  if (s.ok() && ::fchmod(out, 0644) != 0) s = Errno("chmod " + temp);
  if (s.ok() && ::fsync(out) != 0) s = Errno("fsync " + temp);
  ::close(out);
  if (s.ok() &&
      ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
    s = errno == EEXIST ? Status::Conflict("a file appeared at " + target.string() +
                                           " while the service copied " + name)
                        : Errno("rename " + temp);
  }
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return artifact;
}

std::string Name(size_t index, const PlaceFile& file) {
  return "file " + std::to_string(index + 1) + " (" + codec::Printable(file.path) + ")";
}

}  // namespace

Placement::~Placement() { Undo(); }

void Placement::Undo() {
  for (const std::string& path : created_) ::unlink(path.c_str());
  created_.clear();
  engine::RemoveEmptyFolders(folders_);
  folders_.clear();
}

Result<Placement> Placement::Place(const std::string& root, PlaceRequest& request,
                                   std::vector<UniqueFd> descriptors, uint64_t max_bytes,
                                   const std::function<bool()>& abandoned,
                                   std::set<EntryRef>* named) {
  if (descriptors.size() != request.files.size()) {
    return Status::InvalidArgument("the place request names " +
                                   std::to_string(request.files.size()) + " files and came with " +
                                   std::to_string(descriptors.size()) + " descriptors");
  }
  if (request.mode == PlaceMode::kHardlink) {
    return Status::NotSupported(
        "hardlink cannot go through the service: a hard link shares the file with its owner, "
        "who could change its bytes after the service checksummed them, in a repository only "
        "the service should write; use copy or move (or symlink)");
  }
  // Everything checked before any file is touched.
  std::vector<struct stat> stats(descriptors.size());
  std::set<EntryRef> own;
  std::set<EntryRef>& entries = named != nullptr ? *named : own;
  uint64_t bytes = 0;
  for (size_t i = 0; i < request.files.size(); ++i) {
    const PlaceFile& f = request.files[i];
    const std::string name = Name(i, f);
    STARLOG_RETURN_IF_ERROR(CheckDescriptor(descriptors[i].get(), name, &stats[i]));
    bytes += static_cast<uint64_t>(stats[i].st_size);
    if (f.entries.empty()) return Status::InvalidArgument(name + " names no dataset");
    for (const EntryRef& e : f.entries) {
      auto* event = e.event < request.events.size()
                        ? std::get_if<codec::RegisterDatasets>(&request.events[e.event])
                        : nullptr;
      if (event == nullptr || e.entry >= event->datasets.size()) {
        return Status::InvalidArgument(name + " names no dataset of a register-datasets event");
      }
      if (!entries.insert(e).second) {
        return Status::InvalidArgument(name + " names a dataset another file names too");
      }
    }
  }
  if (bytes > max_bytes) {
    return Status::InvalidArgument("the place request holds " + std::to_string(bytes) +
                                   " bytes, more than the " + std::to_string(max_bytes) +
                                   " the service takes in one request; send fewer files at once");
  }
  Placement placement;
  placement.bytes_ = bytes;
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Status::IOError("resolve repository root " + root + ": " + ec.message());
  const std::string real_root = base.string();
  std::set<EntryRef> left_out;
  for (size_t i = 0; i < request.files.size(); ++i) {
    const PlaceFile& f = request.files[i];
    const int fd = descriptors[i].get();
    const std::string name = Name(i, f);
    // No more copying for a client that is gone: nothing of it is kept.
    if (abandoned && abandoned()) {
      return Status::Unavailable("the client hung up before its files were placed");
    }
    auto placed = [&]() -> Result<codec::Artifact> {
      if (request.mode == PlaceMode::kDirect) {
        // Registered where it is: the descriptor must be that very file.
        STARLOG_ASSIGN_OR_RETURN(std::string there, engine::ResolveFileInRoot(real_root, f.path));
        struct stat st;
        if (::stat(there.c_str(), &st) != 0) return Errno("stat " + there);
        if (!SameInode(st, stats[i])) {
          return Status::InvalidArgument(name + ": the descriptor is not the file at " +
                                         codec::Printable(f.path) + " under the root");
        }
        STARLOG_ASSIGN_OR_RETURN(codec::Artifact a, ReadWhole(fd, name));
        a.path = f.path;
        return a;
      }
      STARLOG_RETURN_IF_ERROR(engine::CheckTargetInRoot(real_root, f.path));
      const fs::path target = base / f.path;
      STARLOG_ASSIGN_OR_RETURN(auto existing,
                               AlreadyThere(real_root, f.path, target, fd, stats[i], name));
      if (existing) return *existing;
      STARLOG_RETURN_IF_ERROR(
          engine::CreateFolders(target.parent_path().string(), placement.folders_));
      if (request.mode == PlaceMode::kCopy || request.mode == PlaceMode::kMove) {
        STARLOG_ASSIGN_OR_RETURN(codec::Artifact a, CopyIn(fd, target, name));
        placement.created_.push_back(target.string());
        a.path = f.path;
        return a;
      }
      // A link to a path the service opens itself, and only if that is the
      // file the client handed over: the client proves it may read it.
      const UniqueFd source(::open(f.source.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      struct stat st;
      if (!source.valid() || ::fstat(source.get(), &st) != 0 || !SameInode(st, stats[i])) {
        return Status::InvalidArgument(name + ": " + codec::Printable(f.source) +
                                       " is not the file the descriptor holds");
      }
      const fs::path real_source = fs::canonical(f.source, ec);
      if (ec) return Status::IOError("resolve " + codec::Printable(f.source) + ": " + ec.message());
      const fs::path inside = real_source.lexically_relative(base);
      if (!inside.empty() && *inside.begin() == engine::kPrivateFolder) {
        return Status::InvalidArgument(codec::Printable(f.source) +
                                       " is inside the registry's own " +
                                       std::string(engine::kPrivateFolder) + " folder");
      }
      STARLOG_ASSIGN_OR_RETURN(codec::Artifact a, ReadWhole(fd, name));
      // As a local ingest links: to the path as named, or relative to the
      // real one.
      const fs::path link = request.mode == PlaceMode::kSymlink
                                ? fs::path(f.source)
                                : real_source.lexically_relative(target.parent_path());
      if (::symlink(link.c_str(), target.c_str()) != 0) return Errno("symlink " + f.source);
      placement.created_.push_back(target.string());
      a.path = f.path;
      return a;
    }();
    if (!placed.ok()) {
      if (request.all_or_nothing) return placed.status();  // "placement" removes the rest.
      placement.skipped_.push_back(
          PlaceSkip{static_cast<uint32_t>(i), std::string(placed.status().message())});
      left_out.insert(f.entries.begin(), f.entries.end());
      continue;
    }
    for (const EntryRef& e : f.entries) {
      codec::DatasetEntry& entry =
          std::get<codec::RegisterDatasets>(request.events[e.event]).datasets[e.entry];
      if (auto changed = codec::PlacedMismatch(entry, *placed)) {
        return Status::Corruption(f.path + " " + *changed);  // "placement" removes what it made.
      }
      codec::SetPlacedArtifact(entry, *placed);
    }
    ++placement.placed_;
  }
  // Leave out the datasets whose files were not placed, from the last entry
  // back so that the indices still hold, and the events left empty.
  for (auto it = left_out.rbegin(); it != left_out.rend(); ++it) {
    auto& datasets = std::get<codec::RegisterDatasets>(request.events[it->event]).datasets;
    datasets.erase(datasets.begin() + it->entry);
  }
  std::erase_if(request.events, [](const codec::EventBody& body) {
    const auto* r = std::get_if<codec::RegisterDatasets>(&body);
    return r != nullptr && r->datasets.empty();
  });
  return placement;
}

}  // namespace starlog::service
