#include "replication/peer_content.h"

#include <algorithm>
#include <set>

#include "replication/handshake.h"

namespace starlog::replication {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

Status Refused(const std::string& peer, const std::string& what) {
  return Status::Corruption(peer + " sent " + what + "; refused");
}

// The checks both kinds of page share: "keys(i)" and "bytes(i)" of each of
// "count" items.
template <typename KeyFn, typename BytesFn>
Status CheckPage(const char* kind, size_t count, bool last, const std::string& after,
                 uint32_t max_entries, uint32_t max_bytes, const KeyFn& key, const BytesFn& bytes,
                 const std::string& peer) {
  if (count > max_entries) {
    return Refused(peer, "a page of " + std::to_string(count) + " " + kind + ", more than the " +
                             std::to_string(max_entries) + " asked for");
  }
  if (count == 0 && !last)
    return Refused(peer, std::string("an empty page of ") + kind + " that is not the last");
  uint64_t total = 0;
  const std::string* previous = &after;
  for (size_t i = 0; i < count; ++i) {
    total += bytes(i);
    if (i > 0 && total > max_bytes) {
      return Refused(peer, std::string("a page of ") + kind + " of more than the " +
                               std::to_string(max_bytes) + " bytes asked for");
    }
    const std::string& k = key(i);
    if (!(previous->empty() && i == 0) && !(*previous < k)) {
      return Refused(peer, std::string(kind) + " out of key order");
    }
    previous = &k;
  }
  return Status::OK();
}

}  // namespace

Status CheckPartsPage(const PartsRequest& request, const PartsPage& page, const std::string& peer) {
  for (const WirePart& p : page.parts) {
    if (!StartsWith(p.key, "cdigest/") && !StartsWith(p.key, "rdigest/")) {
      return Refused(peer, "a partition of unknown kind");
    }
    if (p.entries < 0) return Refused(peer, "a partition of fewer than no entries");
  }
  return CheckPage(
      "partitions", page.parts.size(), page.last, request.after, request.max_entries,
      request.max_bytes, [&](size_t i) -> const std::string& { return page.parts[i].key; },
      [&](size_t i) { return page.parts[i].key.size() + 24; }, peer);
}

Status CheckEntriesPage(const EntriesRequest& request, const EntriesPage& page,
                        const std::string& peer) {
  for (const WireEntry& e : page.entries) {
    if (!StartsWith(e.key, request.prefix))
      return Refused(peer, "an entry outside the range asked for");
  }
  return CheckPage(
      "entries", page.entries.size(), page.last, request.after, request.max_entries,
      request.max_bytes, [&](size_t i) -> const std::string& { return page.entries[i].key; },
      [&](size_t i) { return page.entries[i].key.size() + page.entries[i].payload.size(); }, peer);
}

Status CheckContentOpened(const ContentOpened& opened, const std::string& peer) {
  if (opened.families.size() > kMaxContentFamilies) return Refused(peer, "too many families");
  std::set<std::string> names;
  for (const WireFamily& f : opened.families) {
    if (f.name.size() > kMaxFamilyNameSize || !names.insert(f.name).second) {
      return Refused(peer, "a family listed twice or with an overlong name");
    }
  }
  return Status::OK();
}

namespace {

class PeerContentSource final : public engine::ContentSource {
 public:
  PeerContentSource(Channel& channel, engine::ContentSummary summary)
      : channel_(channel), summary_(std::move(summary)) {}

  const engine::ContentSummary& summary() const override { return summary_; }

  Result<engine::Page<engine::ContentPart>> Parts(std::string_view after,
                                                  const engine::PageLimit& limit) override {
    const PartsRequest request{std::string(after), Clamp(limit.entries, kMaxContentPageEntries),
                               Clamp(limit.bytes, kMaxContentPageBytes)};
    STARLOG_ASSIGN_OR_RETURN(Message answer, Ask(request));
    auto* page = std::get_if<PartsPage>(&answer);
    if (page == nullptr) return Unexpected(answer, "parts_page", channel_.peer());
    STARLOG_RETURN_IF_ERROR(CheckPartsPage(request, *page, channel_.peer()));
    engine::Page<engine::ContentPart> out;
    out.last = page->last;
    out.items.reserve(page->parts.size());
    for (WirePart& p : page->parts) {
      out.items.push_back(engine::ContentPart{std::move(p.key), p.entries, p.digest});
    }
    return out;
  }

  Result<engine::Page<engine::ContentEntry>> Entries(engine::ContentRange range,
                                                     std::string_view prefix,
                                                     std::string_view after,
                                                     const engine::PageLimit& limit) override {
    const EntriesRequest request{static_cast<uint8_t>(range), std::string(prefix),
                                 std::string(after), Clamp(limit.entries, kMaxContentPageEntries),
                                 Clamp(limit.bytes, kMaxContentPageBytes)};
    STARLOG_ASSIGN_OR_RETURN(Message answer, Ask(request));
    auto* page = std::get_if<EntriesPage>(&answer);
    if (page == nullptr) return Unexpected(answer, "entries_page", channel_.peer());
    STARLOG_RETURN_IF_ERROR(CheckEntriesPage(request, *page, channel_.peer()));
    engine::Page<engine::ContentEntry> out;
    out.last = page->last;
    out.items.reserve(page->entries.size());
    for (WireEntry& e : page->entries) {
      out.items.push_back(engine::ContentEntry{std::move(e.key), std::move(e.payload)});
    }
    return out;
  }

 private:
  static uint32_t Clamp(size_t n, uint32_t most) {
    return static_cast<uint32_t>(std::min<size_t>(std::max<size_t>(n, 1), most));
  }

  Result<Message> Ask(const Message& request) {
    STARLOG_RETURN_IF_ERROR(channel_.Send(request));
    return channel_.Receive();
  }

  Channel& channel_;
  const engine::ContentSummary summary_;
};

}  // namespace

Result<std::unique_ptr<engine::ContentSource>> OpenPeerContent(Channel& channel) {
  STARLOG_RETURN_IF_ERROR(channel.Send(ContentOpen{}));
  auto received = channel.Receive();
  if (!received.ok()) {
    if (!received.status().IsIOError()) return received.status();
    // A server from before content requests closes on the unknown message.
    return received.status().WithContext(
        channel.peer() +
        " closed the connection on content_open (a `starlog "
        "serve` from before `verify --content` over the network?)");
  }
  auto* opened = std::get_if<ContentOpened>(&*received);
  if (opened == nullptr) return Unexpected(*received, "content_opened", channel.peer());
  STARLOG_RETURN_IF_ERROR(CheckContentOpened(*opened, channel.peer()));
  engine::ContentSummary summary;
  summary.head = opened->head;
  summary.scanned = opened->scanned;
  for (WireFamily& f : opened->families) {
    summary.families.push_back(engine::FamilyStats{std::move(f.name), f.live_entries, f.digest});
  }
  return std::unique_ptr<engine::ContentSource>(new PeerContentSource(channel, std::move(summary)));
}

}  // namespace starlog::replication
