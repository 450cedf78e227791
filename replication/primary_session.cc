#include "replication/primary_session.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "replication/handshake.h"
#include "starlog/codec/text.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::replication {

PrimarySession::PrimarySession(engine::EventStore& store, const ServerOptions& options,
                               std::unique_ptr<Channel> channel,
                               std::function<void(const std::string&)> log,
                               const std::atomic<bool>& stopping)
    : store_(store),
      options_(options),
      channel_(std::move(channel)),
      log_(std::move(log)),
      stopping_(stopping) {
  channel_->set_timeout(options_.timeout);
}

Status PrimarySession::Run() {
  const std::string peer = channel_->peer();
  // One deadline for the whole handshake: a peer that trickles its bytes is
  // dropped as surely as a silent one.
  channel_->set_deadline(std::chrono::steady_clock::now() + options_.handshake_timeout);
  Status s = channel_->Handshake();
  if (s.ok()) {
    auto role = AcceptPeer(*channel_, store_.repository_id(), options_.key);
    channel_->set_deadline(std::nullopt);
    if (!role.ok()) {
      log_(peer + ": refused: " + std::string(role.status().message()));
      return role.status();
    }
    role_ = *role;
    log_(peer + ": " + role_ + " connected");
    s = Converse();
  }
  if (s.ok()) {
    log_(peer + ": " + (role_.empty() ? "peer" : role_) + " left (at event " +
         std::to_string(replica_head_) + ")");
  } else {
    log_(peer + ": " + s.ToString());
  }
  return s;
}

Status PrimarySession::Converse() {
  while (!stopping_.load()) {
    auto message = channel_->Receive();
    if (!message.ok()) {
      // A replica that is done simply closes.
      if (message.status().IsIOError()) return Status::OK();
      return message.status();
    }
    if (const auto* start = std::get_if<Start>(&*message)) {
      STARLOG_RETURN_IF_ERROR(OnStart(*start));
    } else if (const auto* ack = std::get_if<Ack>(&*message)) {
      // An ack may repeat the last (asking for more before it applied what
      // it has), never go back, nor cover events not sent.
      if (!started_ || ack->head < replica_head_ || ack->head > sent_through_) {
        return Refuse(*channel_, Status::Corruption("ack out of order"));
      }
      replica_head_ = ack->head;
      STARLOG_RETURN_IF_ERROR(SendNext(/*wait=*/true));
    } else if (const auto* file = std::get_if<FileRequest>(&*message)) {
      STARLOG_RETURN_IF_ERROR(SendFile(*file));
    } else if (const auto* heads = std::get_if<HeadsRequest>(&*message)) {
      STARLOG_RETURN_IF_ERROR(SendHeads(*heads));
    } else if (std::holds_alternative<ContentOpen>(*message)) {
      STARLOG_RETURN_IF_ERROR(OpenContent());
    } else if (const auto* parts = std::get_if<PartsRequest>(&*message)) {
      STARLOG_RETURN_IF_ERROR(SendParts(*parts));
    } else if (const auto* entries = std::get_if<EntriesRequest>(&*message)) {
      STARLOG_RETURN_IF_ERROR(SendEntries(*entries));
    } else if (const auto* error = std::get_if<Error>(&*message)) {
      return FromPeerError(*error, channel_->peer());
    } else {
      return Refuse(*channel_, Unexpected(*message, "a request", channel_->peer()));
    }
  }
  (void)channel_->Send(Error{false, "the primary is shutting down"});
  return Status::OK();
}

Status PrimarySession::OnStart(const Start& start) {
  if (started_ || role_ != kRoleReplica) {
    return Refuse(*channel_, Status::InvalidArgument("start sent twice or by a verifier"));
  }
  STARLOG_RETURN_IF_ERROR(store_.Refresh().status());
  const engine::Head head = store_.head();
  if (start.head > head.sequence) {
    return Refuse(*channel_,
                  Status::Conflict("the replica is ahead of the primary (its head is event " +
                                   std::to_string(start.head) + ", the primary's " +
                                   std::to_string(head.sequence) +
                                   "): it diverged or follows another primary; nothing was "
                                   "overwritten"));
  }
  STARLOG_ASSIGN_OR_RETURN(codec::Hash128 ours, store_.ChainHashAt(start.head));
  if (ours != start.chain_hash) {
    return Refuse(*channel_,
                  Status::Conflict("the replica diverged: its chain hash at event " +
                                   std::to_string(start.head) + " is " + start.chain_hash.ToHex() +
                                   ", the primary's " + ours.ToHex() +
                                   "; nothing was overwritten (find the first difference with "
                                   "`starlog verify`)"));
  }
  started_ = true;
  replica_head_ = start.head;
  sent_through_ = start.head;
  log_(channel_->peer() + ": replica starts after event " + std::to_string(start.head) +
       " (primary at " + std::to_string(head.sequence) + ")");
  return SendNext(/*wait=*/false);
}

WirePoint PrimarySession::PointOf(const engine::Head& head) const {
  return WirePoint{head.sequence, head.commit_time_ns, head.chain_hash, head.state_digest};
}

Status PrimarySession::SendNext(bool wait) {
  STARLOG_RETURN_IF_ERROR(store_.Refresh().status());
  if (store_.head().sequence > sent_through_) return SendEvents(sent_through_);
  if (wait && told_caught_up_) {
    const Status s =
        store_.WaitForChange(sent_through_, std::chrono::steady_clock::now() + options_.heartbeat);
    if (s.ok()) return SendEvents(sent_through_);
    if (!s.IsTimedOut()) return s;
  }
  told_caught_up_ = true;
  return channel_->Send(CaughtUp{PointOf(store_.head())});
}

Status PrimarySession::SendEvents(uint64_t after) {
  told_caught_up_ = false;
  Events events;
  events.primary_head = PointOf(store_.head());
  // Read about what fits: reading batch_events frames of a thousand
  // datasets each to send the few that fit batch_bytes read (and checked)
  // the rest of the log again for every message. A few frames first, then
  // as many more as their mean size says fit.
  size_t bytes = 0;
  bool full = false;
  size_t want = std::min<size_t>(8, options_.batch_events);
  while (!full && events.events.size() < options_.batch_events) {
    const uint64_t from = after + 1 + events.events.size();
    STARLOG_ASSIGN_OR_RETURN(auto records, store_.ReadLog(from, want));
    for (engine::LogRecord& r : records) {
      // At least one event per message, however large.
      if (!events.events.empty() && bytes + r.frame.size() > options_.batch_bytes) {
        full = true;
        break;
      }
      bytes += r.frame.size();
      events.events.push_back(
          WireEvent{WirePoint{r.sequence, r.commit_time_ns, r.chain_hash, r.state_digest},
                    std::move(r.frame)});
    }
    if (records.size() < want) break;  // The end of the log.
    const size_t mean = std::max<size_t>(1, bytes / events.events.size());
    want = std::min(options_.batch_events - events.events.size(),
                    (options_.batch_bytes > bytes ? options_.batch_bytes - bytes : 0) / mean + 1);
  }
  if (!events.events.empty()) sent_through_ = events.events.back().point.sequence;
  return channel_->Send(events);
}

Status PrimarySession::SendFile(const FileRequest& request) {
  const std::string& path = request.path;
  const std::string shown = "'" + codec::Printable(path) + "'";
  if (const Status s = engine::ValidateRelativePath(path); !s.ok()) {
    return Refuse(*channel_, Status::InvalidArgument("not a repository file path: " +
                                                     std::string(s.message())));
  }
  // Only the file the registry records for that dataset, and only if it
  // really lies in the root: a path no dataset has, or a symbolic link out
  // of the root, is answered as missing.
  STARLOG_RETURN_IF_ERROR(store_.Refresh().status());
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store_.View());
  STARLOG_ASSIGN_OR_RETURN(auto dataset, view.GetDataset(request.dataset_id));
  if (!dataset || !dataset->artifact || dataset->artifact->path != path) {
    log_(channel_->peer() + ": asked for " + shown + ", which is not the file of dataset " +
         request.dataset_id.ToString() + "; not served");
    return channel_->Send(FileChunk{0, true, true, ""});
  }
  auto resolved = engine::ResolveFileInRoot(store_.root(), path);
  if (!resolved.ok()) {
    log_(channel_->peer() + ": asked for " + shown +
         ", not served: " + std::string(resolved.status().message()));
    return channel_->Send(FileChunk{0, true, true, ""});
  }
  const std::string& full = *resolved;
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(full.c_str(), "rb"), &std::fclose);
  if (!file) {
    log_(channel_->peer() + ": asked for " + shown +
         ", which cannot be opened: " + std::strerror(errno));
    return channel_->Send(FileChunk{0, true, true, ""});
  }
  uint64_t offset = 0;
  std::string buffer(kFileChunkSize, '\0');
  while (true) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n < buffer.size() && std::ferror(file.get())) {
      return Status::IOError("read " + full + ": " + std::strerror(errno));
    }
    const bool last = n < buffer.size();
    STARLOG_RETURN_IF_ERROR(
        channel_->Send(FileChunk{offset, last, false, std::string(buffer.data(), n)}));
    offset += n;
    if (last) return Status::OK();
  }
}

Status PrimarySession::SendHeads(const HeadsRequest& request) {
  if (request.sequences.size() > 10'000) {
    return Refuse(*channel_, Status::InvalidArgument("at most 10000 points per request"));
  }
  STARLOG_RETURN_IF_ERROR(store_.Refresh().status());
  Heads heads;
  heads.head = PointOf(store_.head());
  for (uint64_t sequence : request.sequences) {
    if (sequence > heads.head.sequence) continue;
    if (sequence == 0) {
      heads.points.push_back(WirePoint{});
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(engine::Head at, store_.HeadAt(sequence));
    heads.points.push_back(PointOf(at));
  }
  return channel_->Send(heads);
}

namespace {

// A page request's limits, or InvalidArgument past what the protocol allows.
Result<engine::PageLimit> PageLimitOf(uint32_t entries, uint32_t bytes) {
  if (entries < 1 || entries > kMaxContentPageEntries || bytes < 1 ||
      bytes > kMaxContentPageBytes) {
    return Status::InvalidArgument("a content page is 1 to " +
                                   std::to_string(kMaxContentPageEntries) + " entries and 1 to " +
                                   std::to_string(kMaxContentPageBytes) + " bytes");
  }
  return engine::PageLimit{entries, bytes};
}

}  // namespace

Status PrimarySession::OpenContent() {
  if (role_ != kRoleVerifier || content_) {
    return Refuse(*channel_, Status::InvalidArgument("content_open sent twice or by a replica"));
  }
  // A follower sees the writer's latest commits only once it catches up.
  STARLOG_RETURN_IF_ERROR(store_.Refresh().status());
  STARLOG_ASSIGN_OR_RETURN(content_, engine::OpenContentSource(store_));
  const engine::ContentSummary& summary = content_->summary();
  ContentOpened opened;
  opened.head = summary.head;
  opened.scanned = summary.scanned;
  for (const engine::FamilyStats& f : summary.families) {
    opened.families.push_back(WireFamily{f.name, f.live_entries, f.digest});
  }
  log_(channel_->peer() + ": content compared as of event " + std::to_string(summary.head));
  return channel_->Send(opened);
}

Status PrimarySession::SendParts(const PartsRequest& request) {
  if (!content_)
    return Refuse(*channel_, Status::InvalidArgument("parts_request before content_open"));
  auto limit = PageLimitOf(request.max_entries, request.max_bytes);
  if (!limit.ok()) return Refuse(*channel_, limit.status());
  auto page = content_->Parts(request.after, *limit);
  if (!page.ok()) return Refuse(*channel_, page.status());
  PartsPage out;
  out.last = page->last;
  for (engine::ContentPart& p : page->items) {
    out.parts.push_back(WirePart{std::move(p.key), p.entries, p.digest});
  }
  return channel_->Send(out);
}

Status PrimarySession::SendEntries(const EntriesRequest& request) {
  if (!content_) {
    return Refuse(*channel_, Status::InvalidArgument("entries_request before content_open"));
  }
  if (request.range < 1 || request.range > engine::kLastContentRange) {
    return Refuse(*channel_, Status::InvalidArgument("unknown content range " +
                                                     std::to_string(request.range)));
  }
  auto limit = PageLimitOf(request.max_entries, request.max_bytes);
  if (!limit.ok()) return Refuse(*channel_, limit.status());
  auto page = content_->Entries(static_cast<engine::ContentRange>(request.range), request.prefix,
                                request.after, *limit);
  if (!page.ok()) return Refuse(*channel_, page.status());
  EntriesPage out;
  out.last = page->last;
  for (engine::ContentEntry& e : page->items) {
    out.entries.push_back(WireEntry{std::move(e.key), std::move(e.payload)});
  }
  return channel_->Send(out);
}

}  // namespace starlog::replication
