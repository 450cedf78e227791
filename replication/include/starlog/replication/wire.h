#pragma once

// The replication protocol's messages. Each travels in the codec's framing
// (length, type, payload, XXH3-64 of type and payload; codec/frame.h), with
// one of the MessageType bytes below. Payload fields are little-endian
// fixed-width integers and length-prefixed byte strings:
//
//   hello     := fixed32 version, uuid(16) repository_id, bytes nonce, bytes role
//   auth      := bytes mac                      HMAC-SHA256, see auth.h
//   start     := fixed64 head, hash128 chain_hash
//   events    := fixed32 count, count * event
//   event     := fixed64 sequence, fixed64 commit_time_ns, hash128 chain_hash,
//                hash128 state_digest, bytes frame
//   caught_up := fixed64 head
//   ack       := fixed64 head
//   error     := bytes message
//   bytes     := fixed32 length, uint8[length]
//
// The conversation: the replica says hello (its repository id, or nil when
// it is new, and a fresh nonce); the primary answers hello; each proves the
// shared key with auth over both nonces; the replica states where its log
// ends (start); the primary refuses a diverged replica with error, or sends
// events from there on, caught_up when it has sent all it has, and more as
// they come; the replica acks what it applied. Either side may send error and
// close. A peer speaking another kProtocolVersion is refused in hello.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "starlog/codec/hash.h"
#include "starlog/codec/uuid.h"
#include "starlog/result.h"

namespace starlog::replication {

inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kNonceSize = 16;

enum class MessageType : uint8_t {
  kHello = 1,
  kAuth = 2,
  kStart = 3,
  kEvents = 4,
  kCaughtUp = 5,
  kAck = 6,
  kError = 7,
};

struct Hello {
  uint32_t version = kProtocolVersion;
  codec::Uuid repository_id;  // Nil: a new replica that has none yet.
  std::string nonce;          // kNonceSize random bytes.
  std::string role;           // "primary" or "replica".
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Auth {
  std::string mac;
  friend bool operator==(const Auth&, const Auth&) = default;
};

struct Start {
  uint64_t head = 0;
  codec::Hash128 chain_hash;
  friend bool operator==(const Start&, const Start&) = default;
};

struct WireEvent {
  uint64_t sequence = 0;
  int64_t commit_time_ns = 0;
  codec::Hash128 chain_hash;
  codec::Hash128 state_digest;
  std::string frame;
  friend bool operator==(const WireEvent&, const WireEvent&) = default;
};

struct Events {
  std::vector<WireEvent> events;
  friend bool operator==(const Events&, const Events&) = default;
};

struct CaughtUp {
  uint64_t head = 0;
  friend bool operator==(const CaughtUp&, const CaughtUp&) = default;
};

struct Ack {
  uint64_t head = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct Error {
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};

// Alternative i is MessageType(i + 1).
using Message = std::variant<Hello, Auth, Start, Events, CaughtUp, Ack, Error>;

MessageType TypeOf(const Message& message);

// Appends the framed message to "*out". InvalidArgument if it is too large.
Status AppendMessage(const Message& message, std::string* out);

// Reads one framed message from the front of "*input", advancing past it.
// NotFound (not an error) when "*input" holds only part of a frame so far;
// Corruption for a bad checksum, an unknown type or a malformed payload.
Result<Message> ReadMessage(std::string_view* input);

}  // namespace starlog::replication
