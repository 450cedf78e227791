#include "starlog/replication/wire.h"

#include <type_traits>

#include "starlog/codec/coding.h"
#include "starlog/codec/frame.h"

namespace starlog::replication {

namespace {

// Events per message are bounded by the frame limit; count is checked
// against the bytes present before anything is reserved.
void PutBytes(std::string* out, std::string_view bytes) {
  codec::PutFixed32(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Fixed32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = codec::DecodeFixed32(in_.data());
    in_.remove_prefix(4);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = codec::DecodeFixed64(in_.data());
    in_.remove_prefix(8);
    return true;
  }
  bool Hash(codec::Hash128* h) {
    if (in_.size() < 16) return false;
    *h = codec::Hash128::Decode(in_.data());
    in_.remove_prefix(16);
    return true;
  }
  bool Uuid(codec::Uuid* u) {
    if (in_.size() < 16) return false;
    *u = codec::Uuid::FromBytes(in_.data());
    in_.remove_prefix(16);
    return true;
  }
  bool Bytes(std::string* s) {
    uint32_t n = 0;
    if (!Fixed32(&n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

Status Malformed(std::string_view what) {
  return Status::Corruption("malformed " + std::string(what) + " message");
}

}  // namespace

MessageType TypeOf(const Message& message) { return static_cast<MessageType>(message.index() + 1); }

Status AppendMessage(const Message& message, std::string* out) {
  std::string payload;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          codec::PutFixed32(&payload, m.version);
          payload.append(m.repository_id.AsBytes());
          PutBytes(&payload, m.nonce);
          PutBytes(&payload, m.role);
        } else if constexpr (std::is_same_v<T, Auth>) {
          PutBytes(&payload, m.mac);
        } else if constexpr (std::is_same_v<T, Start>) {
          codec::PutFixed64(&payload, m.head);
          m.chain_hash.AppendTo(&payload);
        } else if constexpr (std::is_same_v<T, Events>) {
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.events.size()));
          for (const WireEvent& e : m.events) {
            codec::PutFixed64(&payload, e.sequence);
            codec::PutFixed64(&payload, static_cast<uint64_t>(e.commit_time_ns));
            e.chain_hash.AppendTo(&payload);
            e.state_digest.AppendTo(&payload);
            PutBytes(&payload, e.frame);
          }
        } else if constexpr (std::is_same_v<T, CaughtUp> || std::is_same_v<T, Ack>) {
          codec::PutFixed64(&payload, m.head);
        } else {
          static_assert(std::is_same_v<T, Error>);
          PutBytes(&payload, m.message);
        }
      },
      message);
  return codec::AppendRawFrame(static_cast<uint8_t>(TypeOf(message)), payload, out);
}

Result<Message> ReadMessage(std::string_view* input) {
  // A partial frame is not an error on a stream: wait for more bytes.
  if (input->size() < codec::kFrameOverhead) return Status::NotFound("partial frame");
  const uint32_t length = codec::DecodeFixed32(input->data());
  if (length <= codec::kMaxPayloadSize && input->size() < codec::kFrameOverhead + length) {
    return Status::NotFound("partial frame");
  }
  std::string_view in = *input;
  STARLOG_ASSIGN_OR_RETURN(codec::RawFrame frame, codec::ReadRawFrame(&in));
  Reader r(frame.payload);
  Message out;
  switch (static_cast<MessageType>(frame.type)) {
    case MessageType::kHello: {
      Hello m;
      if (!r.Fixed32(&m.version) || !r.Uuid(&m.repository_id) || !r.Bytes(&m.nonce) ||
          !r.Bytes(&m.role) || r.left() != 0) {
        return Malformed("hello");
      }
      out = std::move(m);
      break;
    }
    case MessageType::kAuth: {
      Auth m;
      if (!r.Bytes(&m.mac) || r.left() != 0) return Malformed("auth");
      out = std::move(m);
      break;
    }
    case MessageType::kStart: {
      Start m;
      if (!r.Fixed64(&m.head) || !r.Hash(&m.chain_hash) || r.left() != 0) return Malformed("start");
      out = m;
      break;
    }
    case MessageType::kEvents: {
      Events m;
      uint32_t count = 0;
      // Each event takes at least 52 bytes: a count beyond that is a lie.
      if (!r.Fixed32(&count) || count > r.left() / 52) return Malformed("events");
      m.events.reserve(count);
      for (uint32_t i = 0; i < count; ++i) {
        WireEvent e;
        uint64_t time = 0;
        if (!r.Fixed64(&e.sequence) || !r.Fixed64(&time) || !r.Hash(&e.chain_hash) ||
            !r.Hash(&e.state_digest) || !r.Bytes(&e.frame)) {
          return Malformed("events");
        }
        e.commit_time_ns = static_cast<int64_t>(time);
        m.events.push_back(std::move(e));
      }
      if (r.left() != 0) return Malformed("events");
      out = std::move(m);
      break;
    }
    case MessageType::kCaughtUp:
    case MessageType::kAck: {
      uint64_t head = 0;
      if (!r.Fixed64(&head) || r.left() != 0) return Malformed("head");
      if (frame.type == static_cast<uint8_t>(MessageType::kAck)) {
        out = Ack{head};
      } else {
        out = CaughtUp{head};
      }
      break;
    }
    case MessageType::kError: {
      Error m;
      if (!r.Bytes(&m.message) || r.left() != 0) return Malformed("error");
      out = std::move(m);
      break;
    }
    default:
      return Status::Corruption("unknown message type " + std::to_string(frame.type));
  }
  *input = in;
  return out;
}

}  // namespace starlog::replication
