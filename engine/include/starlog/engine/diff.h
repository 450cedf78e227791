#pragma once

// What changed in a registry between two points of its log: collections and
// chains, dataset types, datasets, TAGGED and CALIBRATION memberships,
// dimension records, files attached and detached, snapshots and the access
// policy. Net changes only: a dataset added and removed in between
// does not appear. The cost follows the number of events in between, not the
// size of the repository (apart from the contents of collections removed or
// whose memberships changed, which are compared whole).

#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"

namespace starlog::engine {

struct CollectionChange {
  std::string name;
  std::optional<CollectionInfo> before;  // Absent: created in between.
  std::optional<CollectionInfo> after;   // Absent: removed in between.
};

struct MembershipChange {
  std::string collection;
  codec::Uuid id;
  std::string dataset_type;
  codec::FieldMap data_id;
  std::optional<codec::Timespan> validity;  // CALIBRATION collections.
  bool added = true;                        // False: taken out.
};

struct RecordChange {
  std::string element;
  std::optional<codec::FieldMap> before;
  codec::FieldMap after;
};

// A dataset's file attached, detached or replaced.
struct ArtifactChange {
  codec::Uuid id;
  std::string dataset_type;
  codec::FieldMap data_id;
  std::optional<codec::Artifact> before;  // Absent: attached in between.
  std::optional<codec::Artifact> after;   // Absent: detached in between.
};

struct PolicyChange {
  std::optional<codec::SetPolicy> before;  // Absent: none was set.
  std::optional<codec::SetPolicy> after;
};

struct RegistryDiff {
  uint64_t from = 0;
  uint64_t to = 0;
  std::vector<CollectionChange> collections;
  std::vector<DatasetTypeInfo> types_added;
  std::vector<DatasetTypeInfo> types_removed;
  std::vector<DatasetRef> datasets_added;
  std::vector<DatasetRef> datasets_removed;
  std::vector<MembershipChange> memberships;
  std::vector<RecordChange> records;
  std::vector<SnapshotInfo> snapshots_added;
  std::vector<ArtifactChange> artifacts;
  std::optional<PolicyChange> policy;  // Set if the access policy changed.
};

// REQUIRES: from <= to <= head. InvalidArgument otherwise.
Result<RegistryDiff> DiffRegistry(const EventStore& store, uint64_t from, uint64_t to);

}  // namespace starlog::engine
