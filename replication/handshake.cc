#include "replication/handshake.h"

#include "starlog/codec/text.h"
#include "starlog/replication/auth.h"

namespace starlog::replication {

namespace {

const char* NameOf(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return "hello";
    case MessageType::kAuth:
      return "auth";
    case MessageType::kStart:
      return "start";
    case MessageType::kEvents:
      return "events";
    case MessageType::kCaughtUp:
      return "caught_up";
    case MessageType::kAck:
      return "ack";
    case MessageType::kError:
      return "error";
    case MessageType::kFileRequest:
      return "file_request";
    case MessageType::kFileChunk:
      return "file_chunk";
    case MessageType::kHeadsRequest:
      return "heads_request";
    case MessageType::kHeads:
      return "heads";
    case MessageType::kContentOpen:
      return "content_open";
    case MessageType::kContentOpened:
      return "content_opened";
    case MessageType::kPartsRequest:
      return "parts_request";
    case MessageType::kPartsPage:
      return "parts_page";
    case MessageType::kEntriesRequest:
      return "entries_request";
    case MessageType::kEntriesPage:
      return "entries_page";
  }
  return "unknown";
}

std::string VersionMismatch(uint32_t primary, uint32_t peer) {
  return "protocol version mismatch: the primary speaks version " + std::to_string(primary) +
         ", its peer version " + std::to_string(peer) + "; upgrade the older side";
}

}  // namespace

Status Refuse(Channel& channel, const Status& status) {
  (void)channel.Send(Error{true, std::string(status.message())});
  return status;
}

Status FromPeerError(const Error& error, const std::string& peer) {
  // A peer's words are shown, never trusted: no escape sequences reach a terminal or a log.
  const std::string text = peer + " says: " + codec::Printable(error.message);
  return error.refused ? Status::PermissionDenied("refused: " + text) : Status::Unavailable(text);
}

Status Unexpected(const Message& message, const char* expected, const std::string& peer) {
  if (const auto* error = std::get_if<Error>(&message)) return FromPeerError(*error, peer);
  return Status::Corruption(peer + " sent " + NameOf(TypeOf(message)) + " where " + expected +
                            " was due");
}

Result<std::string> AcceptPeer(Channel& channel, const codec::Uuid& repository_id,
                               const std::string& key) {
  // Until the peer has proven the key it may send no more than a hello, and
  // learns nothing of this repository.
  channel.set_max_message_size(kMaxHandshakeMessageSize);
  STARLOG_ASSIGN_OR_RETURN(Message first, channel.Receive());
  const auto* hello = std::get_if<Hello>(&first);
  if (hello == nullptr) return Unexpected(first, "hello", channel.peer());
  if (hello->version != kProtocolVersion) {
    return Refuse(channel, Status::NotSupported(VersionMismatch(kProtocolVersion, hello->version)));
  }
  if (hello->role != kRoleReplica && hello->role != kRoleVerifier) {
    return Refuse(channel,
                  Status::InvalidArgument("unknown role '" + codec::Printable(hello->role) + "'"));
  }
  if (hello->nonce.size() != kNonceSize) {
    return Refuse(channel, Status::InvalidArgument("a nonce must be 16 bytes"));
  }
  const std::string role = hello->role;
  const std::string peer_nonce = hello->nonce;
  const std::string nonce = RandomNonce();
  STARLOG_RETURN_IF_ERROR(
      channel.Send(Hello{kProtocolVersion, codec::Uuid(), nonce, kRolePrimary}));
  STARLOG_ASSIGN_OR_RETURN(Message proof, channel.Receive());
  const auto* auth = std::get_if<Auth>(&proof);
  if (auth == nullptr) return Unexpected(proof, "auth", channel.peer());
  if (!MacMatches(ComputeMac(key, role, auth->repository_id, nonce, peer_nonce), auth->mac)) {
    return Refuse(channel, Status::PermissionDenied(
                               "authentication failed: the " + role +
                               "'s key is not the primary's (check --key on both sides)"));
  }
  // The peer holds the key: it may be told which repository this is.
  if (!auth->repository_id.IsNil() && auth->repository_id != repository_id) {
    return Refuse(channel,
                  Status::Conflict("this primary serves repository " + repository_id.ToString() +
                                   ", not " + auth->repository_id.ToString()));
  }
  STARLOG_RETURN_IF_ERROR(channel.Send(
      Auth{ComputeMac(key, kRolePrimary, repository_id, peer_nonce, nonce), repository_id}));
  SessionKeys keys = DeriveSessionKeys(key, peer_nonce, nonce);
  channel.Seal(std::move(keys.primary_to_peer), std::move(keys.peer_to_primary));
  channel.set_max_message_size(kMaxMessageSize);
  return role;
}

Result<codec::Uuid> ConnectToPrimary(Channel& channel, const codec::Uuid& repository_id,
                                     const std::string& role, const std::string& key) {
  // A primary, too, is held to hellos and to a deadline until it has proven
  // the key.
  channel.set_max_message_size(kMaxHandshakeMessageSize);
  channel.set_deadline(std::chrono::steady_clock::now() + kHandshakeTimeout);
  const std::string nonce = RandomNonce();
  STARLOG_RETURN_IF_ERROR(channel.Send(Hello{kProtocolVersion, codec::Uuid(), nonce, role}));
  auto received = channel.Receive();
  if (!received.ok()) {
    return received.status().WithContext(
        "no answer to hello from " + channel.peer() +
        " (is it a `starlog serve`, and does it serve over TLS? then give --tls-ca)");
  }
  Message answer = std::move(*received);
  const auto* hello = std::get_if<Hello>(&answer);
  if (hello == nullptr) return Unexpected(answer, "hello", channel.peer());
  if (hello->version != kProtocolVersion) {
    return Refuse(channel, Status::NotSupported(VersionMismatch(hello->version, kProtocolVersion)));
  }
  if (hello->role != kRolePrimary || hello->nonce.size() != kNonceSize) {
    return Refuse(channel, Status::Corruption(channel.peer() + " is not a starlog primary"));
  }
  const std::string primary_nonce = hello->nonce;
  STARLOG_RETURN_IF_ERROR(channel.Send(
      Auth{ComputeMac(key, role, repository_id, primary_nonce, nonce), repository_id}));
  STARLOG_ASSIGN_OR_RETURN(Message proof, channel.Receive());
  const auto* auth = std::get_if<Auth>(&proof);
  if (auth == nullptr) return Unexpected(proof, "auth", channel.peer());
  const codec::Uuid primary_id = auth->repository_id;
  if (!MacMatches(ComputeMac(key, kRolePrimary, primary_id, nonce, primary_nonce), auth->mac)) {
    return Refuse(channel,
                  Status::PermissionDenied("authentication failed: the primary's key is not this " +
                                           role + "'s (check --key on both sides)"));
  }
  if (!repository_id.IsNil() && primary_id != repository_id) {
    return Refuse(channel,
                  Status::Conflict("the primary serves repository " + primary_id.ToString() +
                                   ", not " + repository_id.ToString()));
  }
  SessionKeys keys = DeriveSessionKeys(key, nonce, primary_nonce);
  channel.Seal(std::move(keys.peer_to_primary), std::move(keys.primary_to_peer));
  channel.set_max_message_size(kMaxMessageSize);
  channel.set_deadline(std::nullopt);
  return primary_id;
}

}  // namespace starlog::replication
