#pragma once

// The replication protocol's messages. Each travels in the codec's framing
// (length, type, payload, XXH3-64 of type and payload; codec/frame.h), with
// one of the MessageType bytes below. Payload fields are little-endian
// fixed-width integers and length-prefixed byte strings:
//
//   hello     := fixed32 version, uuid(16) nil, bytes nonce, bytes role
//   auth      := bytes mac, uuid(16) repository_id      mac: HMAC-SHA256, see auth.h
//   start     := fixed64 head, hash128 chain_hash
//   events    := point primary_head, fixed32 count, count * event
//   event     := point, bytes frame
//   point     := fixed64 sequence, fixed64 commit_time_ns, hash128 chain_hash,
//                hash128 state_digest
//   caught_up := point primary_head
//   ack       := fixed64 head
//   error     := uint8 refused, bytes message
//   file_request := bytes path, uuid(16) dataset_id
//   file_chunk   := fixed64 offset, uint8 flags (1: last, 2: missing), bytes data
//   heads_request := fixed32 count, count * fixed64 sequence
//   heads     := point head, fixed32 count, count * point
//   content_open    := (nothing)
//   content_opened  := fixed64 head, uint8 scanned, fixed32 count, count * family
//   family          := bytes name, fixed64 live_entries, hash128 digest
//   parts_request   := bytes after, fixed32 max_entries, fixed32 max_bytes
//   parts_page      := uint8 last, fixed32 count, count * part
//   part            := bytes key, fixed64 entries, hash128 digest
//   entries_request := uint8 range, bytes prefix, bytes after, fixed32 max_entries,
//                      fixed32 max_bytes
//   entries_page    := uint8 last, fixed32 count, count * (bytes key, bytes payload)
//   bytes     := fixed32 length, uint8[length]
//
// The four messages of the handshake (hello both ways, then auth both ways)
// travel bare, each at most kMaxHandshakeMessageSize bytes. Every message
// after them, in both directions, is sealed:
//
//   sealed    := frame tag
//   tag       := uint8[kTagSize]    HMAC-SHA256 under the direction's session
//                                   key, over the message's counter and frame
//                                   (auth.h), truncated to 16 bytes
//
// A message whose tag is wrong ends the connection.
//
// The conversation: the replica says hello (a fresh nonce; hello's
// repository id is always nil, so that nobody learns an id before proving
// the key); the primary answers hello; the replica proves the shared key
// with auth over both nonces and its repository id (nil when it is new);
// the primary checks the proof and the id, then proves the key in turn with
// auth carrying the repository id it serves; the replica states where its log
// ends (start); the primary refuses a diverged replica with error, or sends
// events from there on, caught_up when it has sent all it has, and more as
// they come; the replica acks what it applied (durably). After start the
// primary only answers: start and each ack ask for one events (the events
// after those already sent) or caught_up, so a replica paces its own
// stream and a slow one holds up nobody else. A replica keeps a few answers
// in flight by acking again what it has already acked (an ack may repeat
// the last, never go back nor cover events not yet sent), and applies one
// message while the next travels. Between them the replica may ask for files
// (file_request, answered by file_chunks up to the one marked last) or, as a
// verifier instead of a replica, for the points at some sequences
// (heads_request, answered by heads), or for the content of the repository
// (engine/content_source.h): content_open fixes the point it is read as of,
// once per connection, and is answered by content_opened (the head, the
// family digests); then each parts_request (the partitions after a key) and
// entries_request (a range's entries under a prefix, after a key) is
// answered by one page, in key order, of at most the entries and bytes
// asked for (no entry past the first beyond max_bytes), themselves at most
// kMaxContentPageEntries and kMaxContentPageBytes. Either side may send error and close;
// a refused error (wrong key, another repository, divergence, another
// protocol version) is final, any other is worth a retry. A peer speaking
// another kProtocolVersion is refused in hello.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "starlog/codec/frame.h"
#include "starlog/codec/hash.h"
#include "starlog/codec/uuid.h"
#include "starlog/result.h"

namespace starlog::replication {

// 2: the repository id moved from hello to auth, messages after the
// handshake are sealed, and file_request names the dataset. 3: each ack asks
// for the events after those sent, not after those acked (a version-2
// primary would send the same events again to a replica that acks ahead).
// 4: the content messages (content_open and the pages), and state digests
// over the indexes of repository format 2 (data IDs without their key names):
// a version-3 peer's digests are of other keys, so every point would differ.
inline constexpr uint32_t kProtocolVersion = 4;
inline constexpr size_t kNonceSize = 16;

// Longest message a channel accepts before the handshake ends: a hello or
// auth with room to spare, or a refusal.
inline constexpr size_t kMaxHandshakeMessageSize = 1024;
// Longest message at all: a frame of the largest payload, and its tag.
inline constexpr size_t kMaxMessageSize = codec::kFrameOverhead + codec::kMaxPayloadSize + 16;

enum class MessageType : uint8_t {
  kHello = 1,
  kAuth = 2,
  kStart = 3,
  kEvents = 4,
  kCaughtUp = 5,
  kAck = 6,
  kError = 7,
  kFileRequest = 8,
  kFileChunk = 9,
  kHeadsRequest = 10,
  kHeads = 11,
  kContentOpen = 12,
  kContentOpened = 13,
  kPartsRequest = 14,
  kPartsPage = 15,
  kEntriesRequest = 16,
  kEntriesPage = 17,
};

// The most a content page may be asked to hold: entries, and bytes of keys
// and payloads (past the first entry, which may be larger).
inline constexpr uint32_t kMaxContentPageEntries = 4096;
inline constexpr uint32_t kMaxContentPageBytes = 1 << 20;
// The most families a content_opened may list, and the longest name.
inline constexpr size_t kMaxContentFamilies = 64;
inline constexpr size_t kMaxFamilyNameSize = 64;

// File contents travel in chunks of at most this many bytes.
inline constexpr size_t kFileChunkSize = 1 << 20;

struct Hello {
  uint32_t version = kProtocolVersion;
  codec::Uuid repository_id;  // Nil since version 2 (auth carries it).
  std::string nonce;          // kNonceSize random bytes.
  std::string role;           // "primary" or "replica".
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Auth {
  std::string mac;
  // The replica's (nil when it is new), or the primary's.
  codec::Uuid repository_id;
  friend bool operator==(const Auth&, const Auth&) = default;
};

struct Start {
  uint64_t head = 0;
  codec::Hash128 chain_hash;
  friend bool operator==(const Start&, const Start&) = default;
};

// A point in a log: what the primary recorded after event "sequence".
struct WirePoint {
  uint64_t sequence = 0;
  int64_t commit_time_ns = 0;
  codec::Hash128 chain_hash;
  codec::Hash128 state_digest;
  friend bool operator==(const WirePoint&, const WirePoint&) = default;
};

struct WireEvent {
  WirePoint point;
  std::string frame;  // The event exactly as the primary stored it.
  friend bool operator==(const WireEvent&, const WireEvent&) = default;
};

struct Events {
  WirePoint primary_head;  // Where the primary's log ended when it sent these.
  std::vector<WireEvent> events;
  friend bool operator==(const Events&, const Events&) = default;
};

struct CaughtUp {
  WirePoint primary_head;
  friend bool operator==(const CaughtUp&, const CaughtUp&) = default;
};

struct Ack {
  uint64_t head = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct Error {
  bool refused = false;  // Final: retrying cannot help.
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};

struct FileRequest {
  std::string path;        // Relative to the repository root, as artifacts record it.
  codec::Uuid dataset_id;  // Whose artifact it is: the primary serves nothing else.
  friend bool operator==(const FileRequest&, const FileRequest&) = default;
};

struct FileChunk {
  uint64_t offset = 0;
  bool last = false;
  bool missing = false;  // The primary has no such file (then also last).
  std::string data;
  friend bool operator==(const FileChunk&, const FileChunk&) = default;
};

struct HeadsRequest {
  std::vector<uint64_t> sequences;
  friend bool operator==(const HeadsRequest&, const HeadsRequest&) = default;
};

struct Heads {
  WirePoint head;
  std::vector<WirePoint> points;  // Those asked for, leaving out any past the head.
  friend bool operator==(const Heads&, const Heads&) = default;
};

struct ContentOpen {
  friend bool operator==(const ContentOpen&, const ContentOpen&) = default;
};

struct WireFamily {
  std::string name;
  uint64_t live_entries = 0;
  codec::Hash128 digest;
  friend bool operator==(const WireFamily&, const WireFamily&) = default;
};

struct ContentOpened {
  uint64_t head = 0;
  bool scanned = false;
  std::vector<WireFamily> families;
  friend bool operator==(const ContentOpened&, const ContentOpened&) = default;
};

struct PartsRequest {
  std::string after;
  uint32_t max_entries = 0;
  uint32_t max_bytes = 0;
  friend bool operator==(const PartsRequest&, const PartsRequest&) = default;
};

struct WirePart {
  std::string key;
  int64_t entries = 0;
  codec::Hash128 digest;
  friend bool operator==(const WirePart&, const WirePart&) = default;
};

struct PartsPage {
  bool last = true;
  std::vector<WirePart> parts;
  friend bool operator==(const PartsPage&, const PartsPage&) = default;
};

struct EntriesRequest {
  uint8_t range = 0;  // engine::ContentRange.
  std::string prefix;
  std::string after;
  uint32_t max_entries = 0;
  uint32_t max_bytes = 0;
  friend bool operator==(const EntriesRequest&, const EntriesRequest&) = default;
};

struct WireEntry {
  std::string key;
  std::string payload;
  friend bool operator==(const WireEntry&, const WireEntry&) = default;
};

struct EntriesPage {
  bool last = true;
  std::vector<WireEntry> entries;
  friend bool operator==(const EntriesPage&, const EntriesPage&) = default;
};

// Alternative i is MessageType(i + 1).
using Message = std::variant<Hello, Auth, Start, Events, CaughtUp, Ack, Error, FileRequest,
                             FileChunk, HeadsRequest, Heads, ContentOpen, ContentOpened,
                             PartsRequest, PartsPage, EntriesRequest, EntriesPage>;

MessageType TypeOf(const Message& message);

// Appends the framed message to "*out". InvalidArgument if it is too large.
Status AppendMessage(const Message& message, std::string* out);

// Reads one framed message from the front of "*input", advancing past it.
// NotFound (not an error) when "*input" holds only part of a frame so far;
// Corruption for a bad checksum, an unknown type or a malformed payload.
Result<Message> ReadMessage(std::string_view* input);

// As a channel reads: the message at the front of "*input", at most
// "max_size" bytes with framing and tag, refused (Corruption) as soon as its
// length says it is longer, before the rest has arrived. With a non-empty
// "tag_key" the message must be sealed, its tag that of message "counter"
// under that key (auth.h), or it is Corruption. NotFound while incomplete.
Result<Message> ReadChannelMessage(std::string_view* input, size_t max_size,
                                   std::string_view tag_key, uint64_t counter);

// Appends "message" sealed as message "counter" under "tag_key".
Status AppendSealedMessage(const Message& message, std::string_view tag_key, uint64_t counter,
                           std::string* out);

}  // namespace starlog::replication
