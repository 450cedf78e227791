#pragma once

// Challenge and response keyed by a shared secret: each side sends a fresh
// nonce in hello, and proves it holds the key with
//
//   mac = HMAC-SHA256(key, role || repository_id || nonce_of_peer || own_nonce)
//
// where role is the prover's ("primary" or "replica"), so one side's proof
// cannot be replayed as the other's, and fresh nonces defeat replay across
// connections. The key never crosses the wire. The primary's proof covers
// the repository id it then reveals (wire.h: auth), so an unauthenticated
// peer never learns it.
//
// Every message after the handshake carries a tag (wire.h: sealed) under a
// key for its direction, derived from the shared key and both nonces:
//
//   direction_key = HMAC-SHA256(key, "starlog-session " || direction ||
//                               replica_nonce || primary_nonce)
//   direction     = "primary->peer" | "peer->primary"
//   tag           = first kTagSize bytes of
//                   HMAC-SHA256(direction_key, fixed64 counter || frame)
//
// where counter numbers the messages of one direction from 0. Fresh nonces
// make the keys new for every connection; the counter makes a message
// dropped, replayed or reordered within one fail; a key per direction makes a
// message reflected back to its sender fail. This authenticates; it does not
// encrypt (TLS does that, where configured).

#include <string>
#include <string_view>

#include "starlog/codec/uuid.h"
#include "starlog/result.h"

namespace starlog::replication {

// Reads a key file: at least 16 bytes after trimming trailing whitespace.
// InvalidArgument for a shorter key, NotFound for a missing file,
// PermissionDenied for a file with any group or other permission bit set
// (it must be chmod 600 or stricter, as ssh asks of a private key).
Result<std::string> ReadKeyFile(const std::string& path);

std::string RandomNonce();

std::string ComputeMac(std::string_view key, std::string_view role,
                       const codec::Uuid& repository_id, std::string_view peer_nonce,
                       std::string_view own_nonce);

// Constant-time comparison of a received mac with the expected one.
bool MacMatches(std::string_view expected, std::string_view received);

inline constexpr size_t kTagSize = 16;

// The keys of one connection's two directions.
struct SessionKeys {
  std::string primary_to_peer;
  std::string peer_to_primary;
};

SessionKeys DeriveSessionKeys(std::string_view key, std::string_view replica_nonce,
                              std::string_view primary_nonce);

// The tag of the "counter"th message "frame" of a direction.
std::string MessageTag(std::string_view direction_key, uint64_t counter, std::string_view frame);

}  // namespace starlog::replication
