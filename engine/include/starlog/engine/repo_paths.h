#pragma once

// The one place that decides whether a path names a file inside a
// repository. Every path that comes from outside (a bundle's manifest, a CSV
// or JSON row, a template's values, a replicated event, a peer's request) is
// checked here before any file is touched, so that importing, ingesting,
// serving and applying all agree on what "inside the root" means.
//
// A repository-relative path, as the registry records it:
//
//   path      := component ("/" component)*      at most kMaxRelativePathLength bytes
//   component := one or more bytes of valid UTF-8, no NUL, no control
//                characters (U+0000..U+001F, U+007F), neither "." nor ".."
//
// It is not absolute, has no empty component (no leading, trailing or double
// "/"), and its first component is not ".starlog": that folder holds the
// registry itself and is never a dataset's file.

#include <string>
#include <string_view>
#include <vector>

#include "starlog/result.h"

namespace starlog::engine {

// The folder inside a root that belongs to starlog, never to a dataset.
inline constexpr std::string_view kPrivateFolder = ".starlog";
inline constexpr size_t kMaxRelativePathLength = 4096;

// What a file being copied into a root is called until its fsync and rename
// (ingest's copies, the service's placements, a replica's fetches): the
// destination's path with this after it (the service adds a unique tail).
// A file so named is never a dataset's: a leftover of an interrupted copy.
inline constexpr std::string_view kPartialCopySuffix = ".starlog-partial";

// Whether "path" names such a copy in progress, or its leftover.
bool IsPartialCopy(std::string_view path);

// Checks "path" against the grammar above, by its bytes alone. Returns
// InvalidArgument naming the offending component or byte offset.
Status ValidateRelativePath(std::string_view path);

// Resolves "<root>/<relative>" on disk to an existing regular file inside the
// root: "relative" must pass ValidateRelativePath, and its real path (every
// symbolic link followed) must lie under the real path of "root" and outside
// "<root>/.starlog". Returns the resolved absolute path; NotFound if nothing
// is there; InvalidArgument if it escapes the root or is not a regular file
// (a folder, a FIFO, a device, a socket).
Result<std::string> ResolveFileInRoot(const std::string& root, std::string_view relative);

// Checks that a file may be created at "<root>/<relative>": "relative" passes
// ValidateRelativePath and the deepest folder of it that already exists
// resolves (symbolic links followed) under the root and outside
// "<root>/.starlog", so writing there cannot land outside the repository.
// Whatever is at the path itself is not examined.
Status CheckTargetInRoot(const std::string& root, std::string_view relative);

// Checks a recorded artifact "relative" before its file is read: it passes
// CheckTargetInRoot (the folders on its way stay in the root), and the file,
// links followed, is not in "<root>/.starlog". Unlike ResolveFileInRoot the
// file may lie outside the root through a link of its own, as the symlink
// transfer modes make it. NotFound if nothing is there.
Status CheckArtifactInRoot(const std::string& root, std::string_view relative);

// Checks that "path" (absolute or relative to the working folder) is an
// existing regular file once links are followed; InvalidArgument naming what
// it is otherwise (a FIFO or a device would block or never end), NotFound if
// it does not exist.
Status CheckRegularFile(const std::string& path);

// Creates "folder" and the folders on its way that are missing, as
// std::filesystem::create_directories does, and appends to "created" those
// it made, in the order made, so that a placement refused later can take
// them away again (RemoveEmptyFolders) and leave the repository as it was.
Status CreateFolders(const std::string& folder, std::vector<std::string>& created);

// Removes each folder of "folders" that is empty, the last made first (so
// the folders CreateFolders made, once their files are gone, all go); one
// that something else has filled since is left.
void RemoveEmptyFolders(const std::vector<std::string>& folders);

}  // namespace starlog::engine
