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

// Each event body's comment says when it is a legal transition and which
// apply function in engine/model/ (dispatched by state_machine.cc) enforces
// it. Before any of them, CheckAccess (apply_policy.cc) checks the event's
// actor against the access policy in force.

// A file that holds a dataset.
struct Artifact {
  std::string path;  // Relative to the repository root, '/'-separated.
  uint64_t size = 0;
  Hash128 checksum;  // XXH3-128 of the file's bytes.
  // The HDU holding the dataset, counted as astropy and afw count (0 the
  // primary, 1 the first extension), for a file with a dataset per HDU
  // (DECam, MegaPrime raws); 0 when the dataset is the whole file. Size and
  // checksum are always the whole file's, shared by all its HDUs' datasets.
  uint32_t hdu = 0;
  friend bool operator==(const Artifact&, const Artifact&) = default;
};

// Where the dataset is, as people and cfitsio name it: the path, with
// "[hdu]" after it for a dataset of one HDU (cfitsio's extended file name
// syntax counts HDUs as "hdu" does).
std::string ArtifactLocation(const Artifact& artifact);

// The first event of every log: which repository this is.
// Legal only as event 1: ApplyInitRepository (apply_repository.cc), and the store.
struct InitRepository {
  Uuid repository_id;
  uint32_t format_version = 0;
  std::string universe;  // The dimension universe in its config-file form.
  friend bool operator==(const InitRepository&, const InitRepository&) = default;
};

// Legal if new, or of the same type (new doc): ApplyCreateCollection (apply_collections.cc).
struct CreateCollection {
  std::string name;
  CollectionType type = CollectionType::kRun;
  std::string doc;
  friend bool operator==(const CreateCollection&, const CreateCollection&) = default;
};

// Legal if in no chain; a full RUN with_datasets: ApplyRemoveCollection (apply_collections.cc).
struct RemoveCollection {
  std::string name;
  bool with_datasets = false;  // Required to remove a RUN that holds datasets.
  friend bool operator==(const RemoveCollection&, const RemoveCollection&) = default;
};

// Legal on a CHAINED, children existing, distinct, acyclic: ApplySetChain (apply_collections.cc).
struct SetChain {
  std::string name;
  std::vector<std::string> children;  // Search order.
  friend bool operator==(const SetChain&, const SetChain&) = default;
};

// Legal if new or identical, dimensions known: ApplyRegisterDatasetType (apply_dataset_types.cc).
struct RegisterDatasetType {
  std::string name;
  std::vector<std::string> dimensions;
  std::string storage_class;
  bool is_calibration = false;
  friend bool operator==(const RegisterDatasetType&, const RegisterDatasetType&) = default;
};

// Legal while the type has no datasets: ApplyRemoveDatasetType (apply_dataset_types.cc).
struct RemoveDatasetType {
  std::string name;
  friend bool operator==(const RemoveDatasetType&, const RemoveDatasetType&) = default;
};

// Legal if dependencies exist, new or replace: ApplyInsertDimensionRecords (apply_dimensions.cc).
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

// Fills in the file "placed" describes (path, size, checksum) as "entry"'s
// artifact, keeping the HDU the entry's planned artifact named: a file is
// placed once for all its HDUs' datasets.
void SetPlacedArtifact(DatasetEntry& entry, const Artifact& placed);
// Nullopt when "placed" is the file "entry" expects, else what differs. An
// entry that already names a checksum (a bundle's, a source repository's,
// checked before anything was placed) expects that size and checksum, so
// that a file changed between its check and its placement is refused, not
// registered as whatever it became; one whose checksum is zero (ingest: the
// file is read as it is placed) expects any.
std::optional<std::string> PlacedMismatch(const DatasetEntry& entry, const Artifact& placed);

// Legal into a RUN, type registered, records present: ApplyRegisterDatasets (apply_datasets.cc).
struct RegisterDatasets {
  std::string run;
  std::string dataset_type;
  std::vector<DatasetEntry> datasets;
  friend bool operator==(const RegisterDatasets&, const RegisterDatasets&) = default;
};

// Legal if every dataset exists: ApplyRemoveDatasets (apply_datasets.cc).
struct RemoveDatasets {
  std::vector<Uuid> ids;
  friend bool operator==(const RemoveDatasets&, const RemoveDatasets&) = default;
};

struct ArtifactEntry {
  Uuid id;
  Artifact artifact;
  friend bool operator==(const ArtifactEntry&, const ArtifactEntry&) = default;
};

// Legal for datasets with no file (or this one): ApplyAttachArtifacts (apply_datasets.cc).
struct AttachArtifacts {
  std::vector<ArtifactEntry> artifacts;
  friend bool operator==(const AttachArtifacts&, const AttachArtifacts&) = default;
};

// Legal for datasets with a file attached: ApplyDetachArtifacts (apply_datasets.cc).
struct DetachArtifacts {
  std::vector<Uuid> ids;
  friend bool operator==(const DetachArtifacts&, const DetachArtifacts&) = default;
};

// Legal into a TAGGED, one dataset per type and data ID: ApplyTag (apply_tags.cc).
struct Tag {
  std::string collection;
  std::vector<Uuid> ids;
  friend bool operator==(const Tag&, const Tag&) = default;
};

// Legal from a TAGGED, for existing datasets: ApplyUntag (apply_tags.cc).
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

// Legal into a CALIBRATION, in ranges overlapping none: ApplyCertify (apply_calibrations.cc).
struct Certify {
  std::string collection;
  std::string dataset_type;
  std::vector<CertifyEntry> entries;
  friend bool operator==(const Certify&, const Certify&) = default;
};

// Legal on a CALIBRATION and calibration type: ApplyDecertify (apply_calibrations.cc).
struct Decertify {
  std::string collection;
  std::string dataset_type;
  std::vector<FieldMap> data_ids;  // Empty: every data ID of the type.
  Timespan span;
  friend bool operator==(const Decertify&, const Decertify&) = default;
};

// Legal for a new name and a sequence up to the head: ApplyCreateSnapshot (apply_repository.cc).
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

// Legal if valid; by admins once one is set: ApplySetPolicy, CheckAccess (apply_policy.cc).
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
  std::string actor;           // Who made the change: whose rights it used.
  EventBody body;
  // Who submitted it for the actor (engine/policy.h: act-for); empty when
  // the actor did.
  std::string via;

  EventType type() const { return static_cast<EventType>(body.index() + 1); }
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace starlog::codec
