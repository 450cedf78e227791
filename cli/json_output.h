#pragma once

// The `--json` output of the commands, one writer per report, so that a
// command's Run holds what it asks and what it prints as text. The formats
// are the CLI's own (tests/cli check them byte for byte); the library's report
// structs carry no format. Each returns one JSON value without a newline.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/reader.h"
#include "starlog/codec/event.h"
#include "starlog/codec/json_writer.h"
#include "starlog/engine/conventions.h"
#include "starlog/engine/diff.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/ingest/fsck.h"
#include "starlog/ingest/ingest.h"
#include "starlog/replication/replica_files.h"
#include "starlog/replication/replication_status.h"
#include "starlog/replication/verify.h"

namespace starlog::cli {

// `fsck`; "fixed_event" is the event --fix appended, 0 for none.
std::string FsckJson(const ingest::FsckReport& report, uint64_t fixed_event);

// `ingest`.
std::string IngestJson(const ingest::IngestReport& report);

// `info`.
std::string InfoJson(const engine::RepositoryInfo& info);

// `digest` at event "at"; "report" when --recompute gave one.
std::string DigestJson(uint64_t at, const engine::Head& head,
                       const std::optional<engine::DigestReport>& report, bool agrees);

// `repair`.
std::string RepairJson(const engine::RepairReport& report);

// `check-conventions`.
std::string ConventionsJson(const std::vector<engine::ConventionFinding>& findings);

// `policy show`.
std::string PolicyJson(const codec::SetPolicy& policy);

// `query-dataset-types`.
std::string DatasetTypesJson(const std::vector<engine::DatasetTypeInfo>& types);

// `query-collections`: each chain with its children and, resolved by
// "reader", its flattened search path; with "dataset_types", each
// collection's dataset types (--show-dataset-types).
using DatasetTypesOfFn = std::function<Result<std::vector<std::string>>(const std::string&)>;
Result<std::string> CollectionsJson(Reader& reader,
                                    const std::vector<engine::CollectionInfo>& collections,
                                    const DatasetTypesOfFn& dataset_types = nullptr);

// `snapshot list|show`: "heads[i]" is the head at "snapshots[i]".
std::string SnapshotsJson(const std::vector<engine::SnapshotInfo>& snapshots,
                          const std::vector<engine::Head>& heads);

// `log`: one event with the chain hash and state digest the log reader verified.
std::string LogRecordJson(const codec::Event& event, const engine::LogRecord& record);

// `diff`.
std::string DiffJson(const engine::RegistryDiff& d);

// `verify`: the members for the comparison of two copies, and the "files"
// member for --files, written into the object "w" holds open.
void WriteVerifyJson(const replication::VerifyReport& r, codec::JsonWriter& w);
void WriteFilesJson(const replication::FilesReport& files, codec::JsonWriter& w);

// `status` of a primary.
std::string PrimaryStatusJson(const engine::Head& head);

// `status` of a replica: its saved status "s" with "head" its own and "files"
// a check of the files it should hold.
std::string ReplicaStatusJson(const engine::Head& head, const replication::FilesReport& files,
                              const replication::ReplicationStatus& s);

}  // namespace starlog::cli
