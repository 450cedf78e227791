#pragma once

// The kinds of event, one per mutation of the registry. The numeric values are
// written into every frame (on disk and on the wire) and equal the FlatBuffers
// union tags of codec/schema/events.fbs: never renumber, only append.

#include <cstdint>
#include <optional>
#include <string_view>

namespace starlog::codec {

enum class EventType : uint8_t {
  kNone = 0,  // Never written: a zero type byte means a torn or zeroed write.
  kInitRepository = 1,
  kCreateCollection = 2,
  kRemoveCollection = 3,
  kSetChain = 4,
  kRegisterDatasetType = 5,
  kRemoveDatasetType = 6,
  kInsertDimensionRecords = 7,
  kRegisterDatasets = 8,
  kRemoveDatasets = 9,
  kAttachArtifacts = 10,
  kDetachArtifacts = 11,
  kTag = 12,
  kUntag = 13,
  kCertify = 14,
  kDecertify = 15,
  kCreateSnapshot = 16,
  kSetPolicy = 17,
};

inline constexpr uint8_t kMaxEventType = 17;

inline bool IsKnownEventType(uint8_t type) { return type >= 1 && type <= kMaxEventType; }

// "create-collection", "register-datasets", ...: the names `starlog log` prints.
std::string_view EventTypeName(EventType type);
std::optional<EventType> EventTypeFromName(std::string_view name);

}  // namespace starlog::codec
