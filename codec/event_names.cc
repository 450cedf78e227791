#include <array>
#include <string>

#include "starlog/codec/event.h"
#include "starlog/codec/event_type.h"

namespace starlog::codec {

void SetPlacedArtifact(DatasetEntry& entry, const Artifact& placed) {
  const uint32_t hdu = entry.artifact ? entry.artifact->hdu : 0;
  entry.artifact = placed;
  entry.artifact->hdu = hdu;
}

std::optional<std::string> PlacedMismatch(const DatasetEntry& entry, const Artifact& placed) {
  if (!entry.artifact || entry.artifact->checksum == Hash128{}) return std::nullopt;
  const Artifact& expected = *entry.artifact;
  if (expected.size == placed.size && expected.checksum == placed.checksum) return std::nullopt;
  return "changed after it was checked: placed as " + std::to_string(placed.size) +
         " bytes with XXH3-128 " + placed.checksum.ToHex() + ", checked as " +
         std::to_string(expected.size) + " bytes with " + expected.checksum.ToHex();
}

std::string ArtifactLocation(const Artifact& artifact) {
  if (artifact.hdu == 0) return artifact.path;
  return artifact.path + "[" + std::to_string(artifact.hdu) + "]";
}

namespace {

constexpr std::array<std::string_view, kMaxEventType + 1> kEventTypeNames = {
    "none",
    "init-repository",
    "create-collection",
    "remove-collection",
    "set-chain",
    "register-dataset-type",
    "remove-dataset-type",
    "insert-dimension-records",
    "register-datasets",
    "remove-datasets",
    "attach-artifacts",
    "detach-artifacts",
    "tag",
    "untag",
    "certify",
    "decertify",
    "create-snapshot",
    "set-policy",
};

constexpr std::array<std::string_view, 5> kCollectionTypeNames = {"", "RUN", "TAGGED", "CHAINED",
                                                                  "CALIBRATION"};

}  // namespace

std::string_view EventTypeName(EventType type) {
  const auto i = static_cast<size_t>(type);
  return i < kEventTypeNames.size() ? kEventTypeNames[i] : "unknown";
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (size_t i = 1; i < kEventTypeNames.size(); ++i) {
    if (kEventTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string_view CollectionTypeName(CollectionType type) {
  const auto i = static_cast<size_t>(type);
  return i < kCollectionTypeNames.size() ? kCollectionTypeNames[i] : "UNKNOWN";
}

std::optional<CollectionType> CollectionTypeFromName(std::string_view name) {
  for (size_t i = 1; i < kCollectionTypeNames.size(); ++i) {
    std::string_view candidate = kCollectionTypeNames[i];
    if (candidate.size() != name.size()) continue;
    bool equal = true;
    for (size_t j = 0; j < name.size(); ++j) {
      const char c = name[j] >= 'a' && name[j] <= 'z' ? static_cast<char>(name[j] - 32) : name[j];
      if (c != candidate[j]) equal = false;
    }
    if (equal) return static_cast<CollectionType>(i);
  }
  return std::nullopt;
}

}  // namespace starlog::codec
