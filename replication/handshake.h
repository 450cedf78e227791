#pragma once

// Both ends of the opening of a conversation (wire.h): hello both ways, then
// each proves the shared key (auth.h), the peer first. Every refusal is sent
// to the other side as a refused error, so both sides can say what went wrong.
// Until the other side has proven the key, a message longer than
// kMaxHandshakeMessageSize is refused and the repository id is not sent;
// afterwards the channel is sealed (Channel::Seal) with the session's keys.

#include <chrono>
#include <string>

#include "starlog/codec/uuid.h"
#include "starlog/replication/channel.h"
#include "starlog/result.h"

namespace starlog::replication {

inline constexpr char kRolePrimary[] = "primary";
inline constexpr char kRoleReplica[] = "replica";
inline constexpr char kRoleVerifier[] = "verifier";

// How long the replica's (or verifier's) side of the handshake may take in
// all. The primary's is ServerOptions::handshake_timeout.
inline constexpr std::chrono::milliseconds kHandshakeTimeout{10'000};

// The primary's side. Returns the peer's role. PermissionDenied for a wrong
// key, Conflict for another repository, NotSupported for another protocol
// version, Corruption for a peer that does not speak the protocol.
Result<std::string> AcceptPeer(Channel& channel, const codec::Uuid& repository_id,
                               const std::string& key);

// The replica's (or verifier's) side: "repository_id" is nil for a replica
// that has none yet. Returns the primary's repository id.
Result<codec::Uuid> ConnectToPrimary(Channel& channel, const codec::Uuid& repository_id,
                                     const std::string& role, const std::string& key);

// Sends a refused error (best effort) and returns "status" for the caller.
Status Refuse(Channel& channel, const Status& status);

// The status a received error stands for: a refusal is PermissionDenied and
// final; anything else is Unavailable, worth a retry.
Status FromPeerError(const Error& error, const std::string& peer);

// What a peer said instead of the expected message.
Status Unexpected(const Message& message, const char* expected, const std::string& peer);

}  // namespace starlog::replication
