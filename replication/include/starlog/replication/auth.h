#pragma once

// Challenge and response keyed by a shared secret: each side sends a fresh
// nonce in hello, and proves it holds the key with
//
//   mac = HMAC-SHA256(key, role || repository_id || nonce_of_peer || own_nonce)
//
// where role is the prover's ("primary" or "replica"), so one side's proof
// cannot be replayed as the other's, and fresh nonces defeat replay across
// connections. The key never crosses the wire. This authenticates; it does
// not encrypt (TLS does that, where configured).

#include <string>
#include <string_view>

#include "starlog/codec/uuid.h"
#include "starlog/result.h"

namespace starlog::replication {

// Reads a key file: at least 16 bytes after trimming trailing whitespace.
// InvalidArgument for a shorter key, NotFound for a missing file.
Result<std::string> ReadKeyFile(const std::string& path);

std::string RandomNonce();

std::string ComputeMac(std::string_view key, std::string_view role,
                       const codec::Uuid& repository_id, std::string_view peer_nonce,
                       std::string_view own_nonce);

// Constant-time comparison of a received mac with the expected one.
bool MacMatches(std::string_view expected, std::string_view received);

}  // namespace starlog::replication
