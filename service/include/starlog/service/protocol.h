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
//   info_result  := uuid repository_id, head
//   head         := uint64 sequence, hash128 chain_hash, hash128 state_digest,
//                   int64 commit_time_ns
//   Edit         := append | ensure_collection | remove_runs | chain_edit
//                 | policy_role | prune          as the engine::Edit structs
//   append       := [event_bytes]
//   event_bytes  := uint8 type, bytes payload   an event payload (events.fbs)
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
// but that hello is read before the peer is authenticated. Then the client sends requests, edit or
// info, one at a time, each answered by edit_result, info_result or status;
// an edit is answered once it is durable, or refused whole with the status
// the engine gave (the same code and message a local command would print).
// A message that fails to decode (not a frame, a length past kMaxRequestSize,
// a payload the verifier refuses, an event payload that does not decode) is
// answered by status (Corruption) and the connection closed: an honest client
// never sends one. The service closes a connection that says no hello within
// its hello deadline, or nothing for its idle timeout.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "starlog/codec/frame.h"
#include "starlog/codec/uuid.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::service {

inline constexpr uint32_t kServiceProtocolVersion = 1;

// Longest message, framing included: one frame of the largest payload.
inline constexpr size_t kMaxRequestSize = codec::kFrameOverhead + codec::kMaxPayloadSize;
// Longest message before the hello exchange is done.
inline constexpr size_t kMaxHelloSize = 1024;

enum class MessageType : uint8_t {
  kHello = 1,
  kEdit = 2,
  kInfo = 3,
  kStatus = 4,
  kEditResult = 5,
  kInfoResult = 6,
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
};

struct InfoReply {
  ServiceInfo info;
};

// Alternative i is MessageType(i + 1).
using Message = std::variant<Hello, EditRequest, InfoRequest, StatusReply, EditReply, InfoReply>;

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

}  // namespace starlog::service
