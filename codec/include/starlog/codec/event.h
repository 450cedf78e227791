#pragma once

// Events: every mutation of a starlog registry is one of these, appended to
// the log with a dense sequence number. The structs here are plain values; the
// bytes are FlatBuffers (codec/schema/events.fbs), produced and checked by
// event_codec.h.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/codec/event_type.h"
#include "starlog/codec/hash.h"
#include "starlog/codec/timespan.h"
#include "starlog/codec/uuid.h"

namespace starlog::codec {

enum class CollectionType : uint8_t { kRun = 1, kTagged = 2, kChained = 3, kCalibration = 4 };

// "RUN", "TAGGED", "CHAINED", "CALIBRATION", as butler users write them.
std::string_view CollectionTypeName(CollectionType type);
std::optional<CollectionType> CollectionTypeFromName(std::string_view name);

// A file that holds a dataset.
struct Artifact {
  std::string path;  // Relative to the repository root, '/'-separated.
  uint64_t size = 0;
  Hash128 checksum;  // XXH3-128 of the file's bytes.
  friend bool operator==(const Artifact&, const Artifact&) = default;
};

// The first event of every log: which repository this is.
struct InitRepository {
  Uuid repository_id;
  uint32_t format_version = 0;
  std::string universe;  // The dimension universe in its config-file form.
  friend bool operator==(const InitRepository&, const InitRepository&) = default;
};

struct CreateCollection {
  std::string name;
  CollectionType type = CollectionType::kRun;
  std::string doc;
  friend bool operator==(const CreateCollection&, const CreateCollection&) = default;
};

struct RemoveCollection {
  std::string name;
  bool with_datasets = false;  // Required to remove a RUN that holds datasets.
  friend bool operator==(const RemoveCollection&, const RemoveCollection&) = default;
};

struct SetChain {
  std::string name;
  std::vector<std::string> children;  // Search order.
  friend bool operator==(const SetChain&, const SetChain&) = default;
};

struct RegisterDatasetType {
  std::string name;
  std::vector<std::string> dimensions;
  std::string storage_class;
  bool is_calibration = false;
  friend bool operator==(const RegisterDatasetType&, const RegisterDatasetType&) = default;
};

struct RemoveDatasetType {
  std::string name;
  friend bool operator==(const RemoveDatasetType&, const RemoveDatasetType&) = default;
};

struct InsertDimensionRecords {
  std::string element;
  std::vector<FieldMap> records;  // Key fields and record fields together.
  bool replace = false;           // Replace an existing record instead of refusing.
  friend bool operator==(const InsertDimensionRecords&, const InsertDimensionRecords&) = default;
};

struct DatasetEntry {
  Uuid id;
  FieldMap data_id;
  std::optional<Artifact> artifact;
  friend bool operator==(const DatasetEntry&, const DatasetEntry&) = default;
};

struct RegisterDatasets {
  std::string run;
  std::string dataset_type;
  std::vector<DatasetEntry> datasets;
  friend bool operator==(const RegisterDatasets&, const RegisterDatasets&) = default;
};

struct RemoveDatasets {
  std::vector<Uuid> ids;
  friend bool operator==(const RemoveDatasets&, const RemoveDatasets&) = default;
};

struct ArtifactEntry {
  Uuid id;
  Artifact artifact;
  friend bool operator==(const ArtifactEntry&, const ArtifactEntry&) = default;
};

struct AttachArtifacts {
  std::vector<ArtifactEntry> artifacts;
  friend bool operator==(const AttachArtifacts&, const AttachArtifacts&) = default;
};

struct DetachArtifacts {
  std::vector<Uuid> ids;
  friend bool operator==(const DetachArtifacts&, const DetachArtifacts&) = default;
};

struct Tag {
  std::string collection;
  std::vector<Uuid> ids;
  friend bool operator==(const Tag&, const Tag&) = default;
};

struct Untag {
  std::string collection;
  std::vector<Uuid> ids;
  friend bool operator==(const Untag&, const Untag&) = default;
};

struct CertifyEntry {
  Uuid id;
  Timespan validity;
  friend bool operator==(const CertifyEntry&, const CertifyEntry&) = default;
};

struct Certify {
  std::string collection;
  std::string dataset_type;
  std::vector<CertifyEntry> entries;
  friend bool operator==(const Certify&, const Certify&) = default;
};

struct Decertify {
  std::string collection;
  std::string dataset_type;
  std::vector<FieldMap> data_ids;  // Empty: every data ID of the type.
  Timespan span;
  friend bool operator==(const Decertify&, const Decertify&) = default;
};

struct CreateSnapshot {
  std::string name;
  uint64_t sequence = 0;  // The point the name refers to.
  friend bool operator==(const CreateSnapshot&, const CreateSnapshot&) = default;
};

struct PolicyRole {
  std::string name;
  std::vector<std::string> users;
  friend bool operator==(const PolicyRole&, const PolicyRole&) = default;
};

struct PolicyRule {
  std::string pattern;             // Collection-name glob.
  std::vector<std::string> roles;  // Roles that may write matching collections.
  friend bool operator==(const PolicyRule&, const PolicyRule&) = default;
};

struct SetPolicy {
  std::vector<PolicyRole> roles;
  std::vector<PolicyRule> rules;
  friend bool operator==(const SetPolicy&, const SetPolicy&) = default;
};

// Alternative i holds the body of EventType(i + 1): keep in step with
// event_type.h and the schema's union.
using EventBody = std::variant<InitRepository, CreateCollection, RemoveCollection, SetChain,
                               RegisterDatasetType, RemoveDatasetType, InsertDimensionRecords,
                               RegisterDatasets, RemoveDatasets, AttachArtifacts, DetachArtifacts,
                               Tag, Untag, Certify, Decertify, CreateSnapshot, SetPolicy>;

struct Event {
  uint64_t sequence = 0;       // Dense, from 1; assigned by the store on append.
  int64_t commit_time_ns = 0;  // UTC ns since the Unix epoch; assigned on append.
  std::string actor;           // Who made the change.
  EventBody body;

  EventType type() const { return static_cast<EventType>(body.index() + 1); }
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace starlog::codec
