#include "starlog/replication/wire.h"

#include <type_traits>

#include "starlog/codec/coding.h"
#include "starlog/codec/frame.h"
#include "starlog/replication/auth.h"

namespace starlog::replication {

namespace {

// Events per message are bounded by the frame limit; count is checked
// against the bytes present before anything is reserved.
void PutBytes(std::string* out, std::string_view bytes) {
  codec::PutFixed32(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

void PutPoint(std::string* out, const WirePoint& p) {
  codec::PutFixed64(out, p.sequence);
  codec::PutFixed64(out, static_cast<uint64_t>(p.commit_time_ns));
  p.chain_hash.AppendTo(out);
  p.state_digest.AppendTo(out);
}

constexpr size_t kPointSize = 48;

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
  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  // A byte that is 0 or 1.
  bool Flag(uint8_t* v) { return Byte(v) && *v <= 1; }
  bool Point(WirePoint* p) {
    uint64_t time = 0;
    if (!Fixed64(&p->sequence) || !Fixed64(&time) || !Hash(&p->chain_hash) ||
        !Hash(&p->state_digest)) {
      return false;
    }
    p->commit_time_ns = static_cast<int64_t>(time);
    return true;
  }
  // A count of items of at least "min_size" bytes each: one beyond what the
  // bytes left can hold is a lie, refused before anything is reserved.
  bool Count(uint32_t* n, size_t min_size) { return Fixed32(n) && *n <= left() / min_size; }
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
          payload.append(m.repository_id.AsBytes());
        } else if constexpr (std::is_same_v<T, Start>) {
          codec::PutFixed64(&payload, m.head);
          m.chain_hash.AppendTo(&payload);
        } else if constexpr (std::is_same_v<T, Events>) {
          PutPoint(&payload, m.primary_head);
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.events.size()));
          for (const WireEvent& e : m.events) {
            PutPoint(&payload, e.point);
            PutBytes(&payload, e.frame);
          }
        } else if constexpr (std::is_same_v<T, CaughtUp>) {
          PutPoint(&payload, m.primary_head);
        } else if constexpr (std::is_same_v<T, Ack>) {
          codec::PutFixed64(&payload, m.head);
        } else if constexpr (std::is_same_v<T, Error>) {
          payload.push_back(m.refused ? 1 : 0);
          PutBytes(&payload, m.message);
        } else if constexpr (std::is_same_v<T, FileRequest>) {
          PutBytes(&payload, m.path);
          payload.append(m.dataset_id.AsBytes());
        } else if constexpr (std::is_same_v<T, FileChunk>) {
          codec::PutFixed64(&payload, m.offset);
          payload.push_back(static_cast<char>((m.last ? 1 : 0) | (m.missing ? 2 : 0)));
          PutBytes(&payload, m.data);
        } else if constexpr (std::is_same_v<T, HeadsRequest>) {
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.sequences.size()));
          for (uint64_t s : m.sequences) codec::PutFixed64(&payload, s);
        } else if constexpr (std::is_same_v<T, Heads>) {
          PutPoint(&payload, m.head);
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.points.size()));
          for (const WirePoint& p : m.points) PutPoint(&payload, p);
        } else if constexpr (std::is_same_v<T, ContentOpen>) {
          // Nothing: the request alone.
        } else if constexpr (std::is_same_v<T, ContentOpened>) {
          codec::PutFixed64(&payload, m.head);
          payload.push_back(m.scanned ? 1 : 0);
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.families.size()));
          for (const WireFamily& f : m.families) {
            PutBytes(&payload, f.name);
            codec::PutFixed64(&payload, f.live_entries);
            f.digest.AppendTo(&payload);
          }
        } else if constexpr (std::is_same_v<T, PartsRequest>) {
          PutBytes(&payload, m.after);
          codec::PutFixed32(&payload, m.max_entries);
          codec::PutFixed32(&payload, m.max_bytes);
        } else if constexpr (std::is_same_v<T, PartsPage>) {
          payload.push_back(m.last ? 1 : 0);
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.parts.size()));
          for (const WirePart& p : m.parts) {
            PutBytes(&payload, p.key);
            codec::PutFixed64(&payload, static_cast<uint64_t>(p.entries));
            p.digest.AppendTo(&payload);
          }
        } else if constexpr (std::is_same_v<T, EntriesRequest>) {
          payload.push_back(static_cast<char>(m.range));
          PutBytes(&payload, m.prefix);
          PutBytes(&payload, m.after);
          codec::PutFixed32(&payload, m.max_entries);
          codec::PutFixed32(&payload, m.max_bytes);
        } else {
          static_assert(std::is_same_v<T, EntriesPage>);
          payload.push_back(m.last ? 1 : 0);
          codec::PutFixed32(&payload, static_cast<uint32_t>(m.entries.size()));
          for (const WireEntry& e : m.entries) {
            PutBytes(&payload, e.key);
            PutBytes(&payload, e.payload);
          }
        }
      },
      message);
  return codec::AppendRawFrame(static_cast<uint8_t>(TypeOf(message)), payload, out);
}

Result<Message> ReadMessage(std::string_view* input) {
  // A partial frame is not an error on a stream: wait for more bytes.
  const uint64_t announced = codec::AnnouncedFrameSize(*input);
  if (announced == 0 ||
      (announced <= codec::kFrameOverhead + codec::kMaxPayloadSize && input->size() < announced)) {
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
      if (!r.Bytes(&m.mac) || !r.Uuid(&m.repository_id) || r.left() != 0) return Malformed("auth");
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
      if (!r.Point(&m.primary_head) || !r.Count(&count, kPointSize + 4)) return Malformed("events");
      m.events.reserve(count);
      for (uint32_t i = 0; i < count; ++i) {
        WireEvent e;
        if (!r.Point(&e.point) || !r.Bytes(&e.frame)) return Malformed("events");
        m.events.push_back(std::move(e));
      }
      if (r.left() != 0) return Malformed("events");
      out = std::move(m);
      break;
    }
    case MessageType::kCaughtUp: {
      CaughtUp m;
      if (!r.Point(&m.primary_head) || r.left() != 0) return Malformed("caught_up");
      out = m;
      break;
    }
    case MessageType::kAck: {
      Ack m;
      if (!r.Fixed64(&m.head) || r.left() != 0) return Malformed("ack");
      out = m;
      break;
    }
    case MessageType::kError: {
      Error m;
      uint8_t refused = 0;
      if (!r.Byte(&refused) || refused > 1 || !r.Bytes(&m.message) || r.left() != 0) {
        return Malformed("error");
      }
      m.refused = refused == 1;
      out = std::move(m);
      break;
    }
    case MessageType::kFileRequest: {
      FileRequest m;
      if (!r.Bytes(&m.path) || !r.Uuid(&m.dataset_id) || r.left() != 0) {
        return Malformed("file_request");
      }
      out = std::move(m);
      break;
    }
    case MessageType::kFileChunk: {
      FileChunk m;
      uint8_t flags = 0;
      if (!r.Fixed64(&m.offset) || !r.Byte(&flags) || flags > 3 || !r.Bytes(&m.data) ||
          r.left() != 0) {
        return Malformed("file_chunk");
      }
      m.last = (flags & 1) != 0;
      m.missing = (flags & 2) != 0;
      if (m.missing && (!m.last || !m.data.empty())) return Malformed("file_chunk");
      out = std::move(m);
      break;
    }
    case MessageType::kHeadsRequest: {
      HeadsRequest m;
      uint32_t count = 0;
      if (!r.Count(&count, 8)) return Malformed("heads_request");
      m.sequences.resize(count);
      for (uint64_t& s : m.sequences) r.Fixed64(&s);
      if (r.left() != 0) return Malformed("heads_request");
      out = std::move(m);
      break;
    }
    case MessageType::kHeads: {
      Heads m;
      uint32_t count = 0;
      if (!r.Point(&m.head) || !r.Count(&count, kPointSize)) return Malformed("heads");
      m.points.resize(count);
      for (WirePoint& p : m.points) r.Point(&p);
      if (r.left() != 0) return Malformed("heads");
      out = std::move(m);
      break;
    }
    case MessageType::kContentOpen: {
      if (r.left() != 0) return Malformed("content_open");
      out = ContentOpen{};
      break;
    }
    case MessageType::kContentOpened: {
      ContentOpened m;
      uint8_t scanned = 0;
      uint32_t count = 0;
      if (!r.Fixed64(&m.head) || !r.Flag(&scanned) || !r.Count(&count, 4 + 8 + 16) ||
          count > kMaxContentFamilies) {
        return Malformed("content_opened");
      }
      m.scanned = scanned == 1;
      m.families.resize(count);
      for (WireFamily& f : m.families) {
        if (!r.Bytes(&f.name) || !r.Fixed64(&f.live_entries) || !r.Hash(&f.digest)) {
          return Malformed("content_opened");
        }
      }
      if (r.left() != 0) return Malformed("content_opened");
      out = std::move(m);
      break;
    }
    case MessageType::kPartsRequest: {
      PartsRequest m;
      if (!r.Bytes(&m.after) || !r.Fixed32(&m.max_entries) || !r.Fixed32(&m.max_bytes) ||
          r.left() != 0) {
        return Malformed("parts_request");
      }
      out = std::move(m);
      break;
    }
    case MessageType::kPartsPage: {
      PartsPage m;
      uint8_t last = 0;
      uint32_t count = 0;
      // More than any request may ask for is refused before anything is made.
      if (!r.Flag(&last) || !r.Count(&count, 4 + 8 + 16) || count > kMaxContentPageEntries) {
        return Malformed("parts_page");
      }
      m.last = last == 1;
      m.parts.resize(count);
      for (WirePart& p : m.parts) {
        uint64_t entries = 0;
        if (!r.Bytes(&p.key) || !r.Fixed64(&entries) || !r.Hash(&p.digest)) {
          return Malformed("parts_page");
        }
        p.entries = static_cast<int64_t>(entries);
      }
      if (r.left() != 0) return Malformed("parts_page");
      out = std::move(m);
      break;
    }
    case MessageType::kEntriesRequest: {
      EntriesRequest m;
      if (!r.Byte(&m.range) || !r.Bytes(&m.prefix) || !r.Bytes(&m.after) ||
          !r.Fixed32(&m.max_entries) || !r.Fixed32(&m.max_bytes) || r.left() != 0) {
        return Malformed("entries_request");
      }
      out = std::move(m);
      break;
    }
    case MessageType::kEntriesPage: {
      EntriesPage m;
      uint8_t last = 0;
      uint32_t count = 0;
      if (!r.Flag(&last) || !r.Count(&count, 4 + 4) || count > kMaxContentPageEntries) {
        return Malformed("entries_page");
      }
      m.last = last == 1;
      m.entries.resize(count);
      for (WireEntry& e : m.entries) {
        if (!r.Bytes(&e.key) || !r.Bytes(&e.payload)) return Malformed("entries_page");
      }
      if (r.left() != 0) return Malformed("entries_page");
      out = std::move(m);
      break;
    }
    default:
      return Status::Corruption("unknown message type " + std::to_string(frame.type));
  }
  *input = in;
  return out;
}

Result<Message> ReadChannelMessage(std::string_view* input, size_t max_size,
                                   std::string_view tag_key, uint64_t counter) {
  const uint64_t frame_size = codec::AnnouncedFrameSize(*input);
  if (frame_size == 0) return Status::NotFound("partial frame");
  const bool sealed = !tag_key.empty();
  const uint64_t total = frame_size + (sealed ? kTagSize : 0);
  if (total > max_size) {
    return Status::Corruption("a message of " + std::to_string(total) + " bytes, more than the " +
                              std::to_string(max_size) + " accepted" +
                              (sealed ? "" : " before authentication"));
  }
  if (input->size() < total) return Status::NotFound("partial frame");
  const std::string_view frame = input->substr(0, frame_size);
  if (sealed &&
      !MacMatches(MessageTag(tag_key, counter, frame), input->substr(frame_size, kTagSize))) {
    return Status::Corruption(
        "message authentication failed: a message without the session's tag (forged, altered, "
        "replayed or dropped on the way)");
  }
  std::string_view view = frame;
  STARLOG_ASSIGN_OR_RETURN(Message message, ReadMessage(&view));
  if (!view.empty()) return Status::Corruption("a message shorter than its frame");
  input->remove_prefix(total);
  return message;
}

Status AppendSealedMessage(const Message& message, std::string_view tag_key, uint64_t counter,
                           std::string* out) {
  const size_t begin = out->size();
  STARLOG_RETURN_IF_ERROR(AppendMessage(message, out));
  out->append(MessageTag(tag_key, counter, std::string_view(*out).substr(begin)));
  return Status::OK();
}

}  // namespace starlog::replication
