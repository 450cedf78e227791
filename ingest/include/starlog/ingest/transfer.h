#pragma once

// Putting a file where the repository keeps it. Every mode records the size
// and XXH3-128 of the bytes, and none leaves a half-written file: a copy is
// written under a temporary name, fsynced, then renamed into place.
//
//   direct     the file stays where it is; it must be under the root
//   copy       copied
//   move       renamed (copied, then the source removed, across file systems)
//   hardlink   a hard link (same file system)
//   symlink    a symbolic link to the source's absolute path
//   relsymlink a symbolic link by a relative path

#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::ingest {

enum class TransferMode { kDirect, kCopy, kMove, kHardlink, kSymlink, kRelsymlink };

std::optional<TransferMode> TransferModeFromName(std::string_view name);
std::string_view TransferModeName(TransferMode mode);

// What was done, so it can be undone if registering the dataset fails.
struct Placed {
  codec::Artifact artifact;  // Path relative to the root, size, checksum.
  std::string source;        // Absolute path of the source.
  std::string target;        // Absolute path in the repository ("" for direct).
  TransferMode mode = TransferMode::kDirect;
  // Move mode, when an identical file was already at the target: the source
  // is removed by CommitPlace once the registration is durable, never before.
  bool remove_source_on_commit = false;
  // The folders made for the target, in the order made (UndoPlace removes them).
  std::vector<std::string> folders;
};

// Places "source" at "<root>/<relative>" (direct: ignores "relative" and
// records the source's own path under the root). Before anything is touched
// the source must be a regular file outside "<root>/.starlog" and
// "relative" must pass engine::CheckTargetInRoot (repo_paths.h): InvalidArgument
// otherwise. Conflict if a different file is already there; an identical
// one (or the source itself) is taken as is, and nothing is removed then.
Result<Placed> PlaceFile(const std::string& source, const std::string& root,
                         const std::string& relative, TransferMode mode);

// What PlaceFile would answer, for a dry run, touching nothing: the same
// checks and the same refusals (a different file already at the target
// among them), without reading a source whose target is free.
Status CheckPlaceFile(const std::string& source, const std::string& root,
                      const std::string& relative, TransferMode mode);

// Where "source" is under "root", for direct transfer: its path relative to
// the root (links resolved), checked as PlaceFile checks it. InvalidArgument
// if it is not under the root or is in "<root>/.starlog".
Result<std::string> DirectPath(const std::string& source, const std::string& root);

// Undoes PlaceFile: removes what it created (the file, then the folders
// made for it that are left empty), moves a moved file back.
void UndoPlace(const Placed& placed);
// Undoes each of "placed", the last placed first, so that the folders an
// earlier file made are empty when its turn comes.
void UndoPlaced(const std::vector<Placed>& placed);

// Finishes PlaceFile once the registration that needed it is durable: a
// moved source whose identical copy was already in place is removed now.
void CommitPlace(const Placed& placed);

}  // namespace starlog::ingest
