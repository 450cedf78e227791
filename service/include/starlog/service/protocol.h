#pragma once

// The service protocol: how a client asks the repository's service (the one
// process that writes it) for registry edits, on a Unix domain socket or on
// TCP inside TLS (the same messages, the TLS session their only difference).
//
// Each message travels in the codec's framing (codec/frame.h): length, type,
// payload, XXH3-64 of type and payload, the type byte one of the MessageTypes
// below. The payload is a FlatBuffers Message (service/schema/service.fbs)
// whose body's union tag equals the type byte:
//
//   hello        := uint32 version, [uuid repository_id, string user],
//                   [string token]
//   edit         := Edit            one engine::Edit (edits.h), any alternative
//   info         := (empty)
//   status       := uint8 code, string message
//   edit_result  := head, uint64 first, [string] names, bool created,
//                   uint64 datasets, uint64 files_deleted, [string] file_errors
//   info_result  := uuid repository_id, head, [string root, uint32 format,
//                   [family_stats]]
//   head         := uint64 sequence, hash128 chain_hash, hash128 state_digest,
//                   int64 commit_time_ns
//   Edit         := append | ensure_collection | remove_runs | chain_edit
//                 | policy_role | prune
//                 | remove_collections           as the engine::Edit structs
//   append       := [event_bytes]
//   event_bytes  := uint8 type, bytes payload   an event payload (events.fbs)
//
// Since version 2, reads (each answered as of one sequence, read from one
// engine::RegistryView, so that no page shows part of a commit):
//
//   query        := [string as_of], uint32 page_rows, Query
//   query_result := uint64 sequence, Rows, uint64 remaining, uint64 cursor
//   more         := uint64 cursor, bool close
//   wait         := string type, [field] data_id, [string] collections,
//                   [timespan] validity, uint64 timeout_ms
//   Query        := find_dataset | datasets | collections | dataset_types
//                 | data_ids | dimension_records | get_datasets
//                 | get_collection | search_path | universe | snapshots
//                 | dataset_types_in | dataset_search
//                                   as the RegistryView calls of those names
//                                   (dataset_search: ForEachDataset of a
//                                   DatasetSearch, since version 5)
//   Rows         := [DatasetRef] | [CollectionInfo] | [DatasetTypeInfo]
//                 | [FieldMap] | [string]
//
// A query's as_of is a point as `starlog --as-of` takes it (a sequence, a
// UTC time, a snapshot name), resolved by the service (engine::ResolveAsOf);
// absent, the head. Its answer is status, or query_result pages of at most
// page_rows rows (0: the service's choice) and about kPageBytes each: a page
// with remaining > 0 is followed, when the client sends more with its
// cursor, by the next, read from the same result; close drops the rest. The
// service keeps a bounded number of unfinished results, for a bounded time:
// the cursor of one it dropped is answered NotFound. A where clause travels
// as its text and binds, parsed by the service, so that an error names the
// column the user typed. wait is answered by a query_result of one dataset
// (sequence 0) once FindDataset finds it (woken by the commits), or status:
// TimedOut after timeout_ms (at most kMaxWait), Unavailable when the service
// stops or the client hangs up.
//
// Version 2 differs from 1 only by these messages and the info_result fields
// after head; the hello still asks for the same version on both sides.
// Version 3 adds to each DatasetRef row its implied values and a temporal
// join's data ID (engine::DatasetRef::implied, joined); data_ids rows carry
// their implied values as fields of the same map, and the edit
// remove_collections is new. Version 4 differs from 3 only by place and
// place_result (below). Version 5 adds the query dataset_search (several
// dataset types and globs, an order and a limit: engine::DatasetSearch).
// Version 6 adds an order and a limit to data_ids and dimension_records
// (engine::RowOrder); a version 5 service would not read them, and answer
// unordered, so the hello refuses either side of the change.
//
// Since version 4, files placed by the service (`ingest`, `import` through
// it), on the Unix socket only:
//
//   place        := [event_bytes] events, [place_file] files, uint8 mode,
//                   bool all_or_nothing, [string act_for], bool more
//                   + one descriptor per file, in order, sent with the
//                   frame's bytes as SCM_RIGHTS ancillary data
//   place_file   := [entry_ref] entries, string path, string source
//   entry_ref    := uint32 event, uint32 entry
//   place_result := edit_result, [place_skip]
//   place_skip   := uint32 file, string reason
//
// The client opens each file itself, read-only, with its own rights, and
// sends the open descriptor, never a path the service would open for it
// (which would let it read, through the service, what it may not read
// itself). The service reads the bytes from the descriptor: it computes size
// and XXH3-128 as it copies them to a temporary name under the root, fsyncs
// and renames it into place (no replacing: a different file already there
// is a Conflict), and writes that artifact into each dataset entry the file
// names (events[event], a RegisterDatasets, its datasets[entry]; several
// when a file holds several datasets, one per HDU). Then it
// appends the events as one edit (the same path, policy and group commit as
// an edit) and answers once they are durable; refused, it removes every
// file it placed. Modes: copy; move (the service copies; the client removes
// its source once answered); direct (the file is already at "path" under
// the root: the descriptor must be that very file, by st_dev and st_ino);
// symlink and relsymlink (the service opens "source" itself and links to it
// only if it is the descriptor's file, by st_dev and st_ino); hardlink is
// refused (a link shares the inode with its owner, who could change the
// bytes after the service checksummed them). A file that cannot be placed
// refuses the whole request when all_or_nothing, else it is left out with
// its dataset entry and named in place_skip (and when nothing is left to
// register nothing is appended).
//
// An all_or_nothing request of more files than one message may carry goes
// in parts on one connection, each a place of at most
// kMaxDescriptorsPerMessage files with more set but on the last: the first
// part carries all the events, the others none, every file naming an entry
// of those events. The service places each part's files as it comes (and
// answers it with a place_result that appended nothing), keeps them, and
// appends once the last has come: the whole is one edit, all or nothing. A
// part refused, a connection that ends, or any other request (a place with
// events begins anew) before the last part drops the parts, their files
// removed.
//
// Bounds: at most kMaxDescriptorsPerMessage descriptors with one message,
// and ServerOptions::max_place_bytes bytes (the descriptors' sizes) per
// request (all its parts). Refused, with every descriptor received closed: descriptors
// with any other message, or more or fewer than the files a place
// declares, or more than the bound (status, and the connection closed);
// a descriptor that is not a regular file (a pipe, a folder, a socket,
// a device such as /dev/zero), or not open for reading; a file whose
// size or modification time changes while it is copied; a place over TCP,
// which cannot carry descriptors (NotSupported, naming the Unix socket).
// A client that hangs up before its events are committed gets nothing
// done: the service removes what it placed and appends nothing.
//
// An append carries event bodies, not events: the service decodes each
// payload with codec::DecodeEventPayload (as untrusted input) and keeps only
// its body; the sequence, time and actor a payload carries are ignored, since
// the service stamps its own, the actor being the user it authenticated.
//
// The conversation: the client says hello with its version; the service
// answers hello, naming the repository and the user it took the client for
// (on the Unix socket the OS user of the peer process, from SO_PEERCRED; on
// TCP the holder of the hello's token, or else the subject CN of the client
// certificate TLS verified: never the hello's user field, which the service
// does not read), or status and closes: another version (NotSupported), a
// peer whose uid has no user name, or on TCP no valid token and no verified
// certificate (PermissionDenied), too many connections (Unavailable). On TCP
// the TLS handshake comes first, within the same hello deadline, and nothing
// but that hello is read before the peer is authenticated. Then the client
// sends requests, edit, info, query, more, wait or place, one at a time,
// each answered by edit_result, info_result, query_result, place_result or
// status;
// an edit is answered once it is durable, or refused whole with the status
// the engine gave (the same code and message a local command would print).
// A message that fails to decode (not a frame, a length past kMaxRequestSize,
// a payload the verifier refuses, an event payload that does not decode) is
// answered by status (Corruption) and the connection closed: an honest client
// never sends one. The service closes a connection that says no hello within
// its hello deadline, or nothing for its idle timeout.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "starlog/codec/frame.h"
#include "starlog/codec/uuid.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/where.h"
#include "starlog/result.h"

namespace starlog::service {

inline constexpr uint32_t kServiceProtocolVersion = 6;
// Descriptors one message may carry (Linux passes at most 253 at once).
inline constexpr size_t kMaxDescriptorsPerMessage = 128;

// Longest message, framing included: one frame of the largest payload.
inline constexpr size_t kMaxRequestSize = codec::kFrameOverhead + codec::kMaxPayloadSize;
// Longest message before the hello exchange is done.
inline constexpr size_t kMaxHelloSize = 1024;
// About the size of a page of query results; a page holds one row at least.
inline constexpr size_t kPageBytes = 1 << 20;
// The longest a wait may last; a longer timeout is cut to it.
inline constexpr std::chrono::milliseconds kMaxWait{3'600'000};

enum class MessageType : uint8_t {
  kHello = 1,
  kEdit = 2,
  kInfo = 3,
  kStatus = 4,
  kEditResult = 5,
  kInfoResult = 6,
  kQuery = 7,
  kQueryResult = 8,
  kMore = 9,
  kWait = 10,
  kPlace = 11,
  kPlaceResult = 12,
};

struct Hello {
  uint32_t version = kServiceProtocolVersion;
  codec::Uuid repository_id;  // The service's; nil from the client.
  std::string user;           // Whom the service took the client for; empty from the client.
  // A remote client's token (user_tokens.h); empty from the service, and on
  // the Unix socket, where the kernel names the client.
  std::string token;
};

struct EditRequest {
  engine::Edit edit;
  // Another user to make the edit for (engine/policy.h: act-for); empty for
  // the authenticated user. The event records both.
  std::string act_for = {};
};

struct InfoRequest {};

struct StatusReply {
  Status status;  // Never OK.
};

struct EditReply {
  engine::EditResult result;
};

struct ServiceInfo {
  codec::Uuid repository_id;
  engine::Head head;
  // As engine::RepositoryInfo has them.
  std::string root;
  uint32_t format_version = 0;
  std::vector<engine::FamilyStats> families;
};

struct InfoReply {
  ServiceInfo info;
};

// A where clause as the user wrote it: the service parses it
// (engine::WhereClause::Parse), so that its errors are worded as a local
// parse words them.
struct WhereText {
  std::string text;
  engine::WhereBinds binds;
};

// engine::DatasetQuery with its where clause as text.
struct DatasetsQuery {
  std::string dataset_type;
  std::vector<std::string> collections;
  WhereText where;
  bool find_first = true;
  std::optional<codec::Timespan> validity;
};

// engine::DatasetSearch with its where clause as text: "query"'s
// dataset_type is not read.
struct DatasetSearchQuery {
  std::vector<std::string> dataset_types;  // Names or patterns; empty: every type.
  DatasetsQuery query;
  std::vector<std::string> order_by = {};
  uint64_t limit = 0;
};

// The engine's queries, the where clause parsed (engine::WhereClause::Parse,
// with its InvalidArgument).
Result<engine::DatasetQuery> ToEngine(const DatasetsQuery& q);
Result<engine::DatasetSearch> ToEngine(const DatasetSearchQuery& q);

struct FindDatasetQuery {
  std::string dataset_type;
  codec::FieldMap data_id;
  std::vector<std::string> collections;
  std::optional<codec::Timespan> validity;
};

struct CollectionsQuery {
  std::vector<std::string> patterns;
  std::vector<codec::CollectionType> types;
};

struct DatasetTypesQuery {
  std::vector<std::string> patterns;
  bool components = false;
};

struct DataIdsQuery {
  std::vector<std::string> dimensions;
  WhereText where;
  std::optional<DatasetsQuery> datasets;
  engine::RowOrder order = {};  // Since version 6.
};

struct DimensionRecordsQuery {
  std::string element;
  WhereText where;
  engine::RowOrder order = {};  // Since version 6.
};

// The engine's answer to each, the where clause parsed: what the service
// answers, and what a reader of the repository's files answers without one.
Result<std::vector<codec::FieldMap>> Answer(const engine::RegistryView& view,
                                            const DataIdsQuery& q);
Result<std::vector<codec::FieldMap>> Answer(const engine::RegistryView& view,
                                            const DimensionRecordsQuery& q);
// The same rows handed to "fn" as the engine finds them
// (RegistryView::ForEachDataId, ForEachDimensionRecord), until it returns
// false.
Status ForEachRow(const engine::RegistryView& view, const DataIdsQuery& q,
                  const engine::RegistryView::FieldMapFn& fn);
Status ForEachRow(const engine::RegistryView& view, const DimensionRecordsQuery& q,
                  const engine::RegistryView::FieldMapFn& fn);

// The datasets found, in the order asked; an id no dataset has is left out.
struct GetDatasetsQuery {
  std::vector<codec::Uuid> ids;
};

// Zero or one collection.
struct GetCollectionQuery {
  std::string name;
};

// RegistryView::ResolveSearchPath.
struct SearchPathQuery {
  std::vector<std::string> names;
};

// The repository's dimension universe, in its config-file form: one string.
struct UniverseQuery {};

// RegistryView::Snapshots, each a field-map row {name, sequence}.
struct SnapshotsQuery {};

// RegistryView::DatasetTypesIn: one string a row.
struct DatasetTypesInQuery {
  std::vector<std::string> collections;
};

using Query =
    std::variant<FindDatasetQuery, DatasetsQuery, CollectionsQuery, DatasetTypesQuery, DataIdsQuery,
                 DimensionRecordsQuery, GetDatasetsQuery, GetCollectionQuery, SearchPathQuery,
                 UniverseQuery, SnapshotsQuery, DatasetTypesInQuery, DatasetSearchQuery>;

struct QueryRequest {
  std::string as_of;       // Empty: the head.
  uint32_t page_rows = 0;  // 0: the service's choice.
  Query query;
};

using QueryRows = std::variant<std::vector<engine::DatasetRef>, std::vector<engine::CollectionInfo>,
                               std::vector<engine::DatasetTypeInfo>, std::vector<codec::FieldMap>,
                               std::vector<std::string>>;

struct QueryReply {
  uint64_t sequence = 0;   // What every page of the result was read at.
  QueryRows rows;          // This page.
  uint64_t remaining = 0;  // Rows after this page; 0 on the last.
  uint64_t cursor = 0;     // For more, when remaining > 0.
};

struct MoreRequest {
  uint64_t cursor = 0;
  bool close = false;  // Drop the rest of the result instead.
};

struct WaitRequest {
  std::string dataset_type;
  codec::FieldMap data_id;
  std::vector<std::string> collections;
  std::optional<codec::Timespan> validity;
  std::chrono::milliseconds timeout{0};
};

// How the service puts a file into the repository: the transfer modes of
// ingest (ingest/transfer.h), as the service does them (above).
enum class PlaceMode : uint8_t { kCopy, kMove, kDirect, kHardlink, kSymlink, kRelsymlink };

// A dataset entry of a place request: RegisterDatasets events[event], its
// datasets[entry].
struct EntryRef {
  uint32_t event = 0;
  uint32_t entry = 0;
  friend auto operator<=>(const EntryRef&, const EntryRef&) = default;
};

struct PlaceFile {
  std::vector<EntryRef> entries;  // The datasets whose artifact this file is; one at least.
  std::string path;               // Relative to the root: where it goes (direct: where it is).
  std::string source;             // Symlink modes: the absolute path the link names.
};

struct PlaceRequest {
  std::vector<codec::EventBody> events;
  std::vector<PlaceFile> files;  // Descriptor i is files[i]'s contents.
  PlaceMode mode = PlaceMode::kCopy;
  bool all_or_nothing = false;
  std::string act_for = {};  // As EditRequest's.
  bool more = false;         // More parts follow (above).
};

struct PlaceSkip {
  uint32_t file = 0;  // Index into the request's files.
  std::string reason;
};

struct PlaceReply {
  engine::EditResult result;
  std::vector<PlaceSkip> skipped;
};

// How a client's read is answered (client.h).
struct ReadOptions {
  // As `--as-of` takes it: a sequence, a UTC time or a snapshot name; empty:
  // the head when the service reads.
  std::string as_of;
  // At most this many rows a page (for tests of paging); 0: the service's choice.
  uint32_t page_rows = 0;
  // If set, receives the sequence the answer was read at: give it as as_of
  // to read more at the same point.
  uint64_t* sequence = nullptr;
};

// Alternative i is MessageType(i + 1).
using Message =
    std::variant<Hello, EditRequest, InfoRequest, StatusReply, EditReply, InfoReply, QueryRequest,
                 QueryReply, MoreRequest, WaitRequest, PlaceRequest, PlaceReply>;

MessageType TypeOf(const Message& message);

// Appends the framed message to "*out". InvalidArgument if it is longer than
// kMaxRequestSize (an append of too many or too large events), or a status
// reply that is OK.
Status AppendMessage(const Message& message, std::string* out);

// Decodes "bytes", exactly one framed message, as untrusted input: the frame's
// checksum, a known type, the FlatBuffers verifier before any field is read,
// the body's tag against the type byte, enums in range, ids of 16 bytes, and
// every event payload through codec::DecodeEventPayload. Corruption says what
// failed.
Result<Message> DecodeMessage(std::string_view bytes);

// At least the bytes row "index" of "rows" adds to an encoded query_result,
// so that a page of rows whose bounds sum to kPageBytes stays well inside
// kMaxRequestSize.
size_t EncodedSizeBound(const QueryRows& rows, size_t index);
// The number of rows in "rows".
size_t RowCount(const QueryRows& rows);

}  // namespace starlog::service
