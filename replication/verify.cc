#include "starlog/replication/verify.h"

#include <filesystem>
#include <functional>
#include <map>

#include "net/address.h"
#include "replication/handshake.h"
#include "replication/peer_content.h"
#include "starlog/engine/content_source.h"

namespace starlog::replication {

namespace {

// Points of one copy, asked for in batches.
using PointsFn = std::function<Result<std::map<uint64_t, WirePoint>>(const std::vector<uint64_t>&)>;

WirePoint PointOf(const engine::Head& h) {
  return WirePoint{h.sequence, h.commit_time_ns, h.chain_hash, h.state_digest};
}

Result<std::map<uint64_t, WirePoint>> LocalPoints(const engine::EventStore& store,
                                                  const std::vector<uint64_t>& sequences) {
  std::map<uint64_t, WirePoint> points;
  for (uint64_t s : sequences) {
    if (s == 0) {
      points[0] = WirePoint{};
      continue;
    }
    STARLOG_ASSIGN_OR_RETURN(engine::Head h, store.HeadAt(s));
    points[s] = PointOf(h);
  }
  return points;
}

Result<VerifyReport> Compare(const engine::EventStore& local, uint64_t other_head,
                             const PointsFn& other, const VerifyOptions& options) {
  VerifyReport report;
  report.local_head = local.head().sequence;
  report.other_head = other_head;
  report.common = std::min(report.local_head, report.other_head);
  const uint64_t c = report.common;
  STARLOG_ASSIGN_OR_RETURN(auto mine, LocalPoints(local, {c}));
  STARLOG_ASSIGN_OR_RETURN(auto theirs, other({c}));
  if (theirs.count(c) == 0)
    return Status::Corruption("the other copy lacks event " + std::to_string(c));
  report.chain_hash = mine[c].chain_hash;
  report.state_digest = mine[c].state_digest;
  const bool chains_agree = mine[c].chain_hash == theirs[c].chain_hash;
  report.agree = chains_agree && mine[c].state_digest == theirs[c].state_digest;
  if (!chains_agree) {
    // Chain hashes are cumulative: equal at s means equal at every s' < s.
    // Invariant: agree at lo, differ at hi.
    uint64_t lo = 0, hi = c;
    while (hi - lo > 1) {
      std::vector<uint64_t> probes;
      const uint64_t step = std::max<uint64_t>(1, (hi - lo) / 64);
      for (uint64_t s = lo + step; s < hi; s += step) probes.push_back(s);
      STARLOG_ASSIGN_OR_RETURN(auto a, LocalPoints(local, probes));
      STARLOG_ASSIGN_OR_RETURN(auto b, other(probes));
      uint64_t new_lo = lo, new_hi = hi;
      for (uint64_t s : probes) {
        if (b.count(s) == 0)
          return Status::Corruption("the other copy lacks event " + std::to_string(s));
        if (a[s].chain_hash == b[s].chain_hash) {
          new_lo = s;
        } else {
          new_hi = s;
          break;
        }
      }
      lo = new_lo;
      hi = new_hi;
    }
    report.first_difference = hi;
  } else if (!report.agree) {
    report.first_difference = c;
  }
  if (options.recompute) {
    STARLOG_ASSIGN_OR_RETURN(engine::DigestReport digest, local.ComputeStateDigest(c));
    report.recomputed = true;
    report.indexes_intact = digest.total == report.state_digest;
    report.agree = report.agree && report.indexes_intact;
  }
  return report;
}

// --content: this copy, as of now, against "theirs".
Result<VerifyReport> CompareContents(const engine::EventStore& local, engine::ContentSource& theirs,
                                     const VerifyOptions& options) {
  STARLOG_ASSIGN_OR_RETURN(auto mine, engine::OpenContentSource(local));
  VerifyReport report;
  STARLOG_ASSIGN_OR_RETURN(report.content,
                           engine::CompareContent(*mine, theirs, options.content_options));
  report.local_head = report.content->here_head;
  report.other_head = report.content->there_head;
  report.agree = report.content->agree;
  return report;
}

}  // namespace

Result<VerifyReport> Verify(const engine::EventStore& local, const std::string& other,
                            const VerifyOptions& options) {
  std::string host;
  uint16_t port = 0;
  const bool is_address =
      !std::filesystem::exists(other) && net::ParseAddress(other, &host, &port).ok();
  if (!is_address) {
    engine::StoreOptions read_only;
    read_only.read_only = true;
    STARLOG_ASSIGN_OR_RETURN(auto store, engine::EventStore::Open(other, read_only));
    if (options.content) {
      STARLOG_ASSIGN_OR_RETURN(auto theirs, engine::OpenContentSource(*store));
      return CompareContents(local, *theirs, options);
    }
    if (store->repository_id() != local.repository_id()) {
      return Status::Conflict(other + " is repository " + store->repository_id().ToString() +
                              ", not " + local.repository_id().ToString() +
                              " (--content compares repositories of different lineage)");
    }
    const engine::EventStore& theirs = *store;
    return Compare(
        local, theirs.head().sequence,
        [&](const std::vector<uint64_t>& s) { return LocalPoints(theirs, s); }, options);
  }
  if (options.key.size() < 16) return Status::InvalidArgument("give the shared key (--key FILE)");
  STARLOG_ASSIGN_OR_RETURN(auto channel, Channel::Connect(other, options.tls, options.timeout));
  if (options.content) {
    // Another lineage has another repository id: the verifier names none.
    STARLOG_RETURN_IF_ERROR(
        ConnectToPrimary(*channel, codec::Uuid(), kRoleVerifier, options.key).status());
    STARLOG_ASSIGN_OR_RETURN(auto theirs, OpenPeerContent(*channel));
    return CompareContents(local, *theirs, options);
  }
  STARLOG_RETURN_IF_ERROR(
      ConnectToPrimary(*channel, local.repository_id(), kRoleVerifier, options.key).status());
  uint64_t other_head = 0;
  const PointsFn remote =
      [&](const std::vector<uint64_t>& sequences) -> Result<std::map<uint64_t, WirePoint>> {
    STARLOG_RETURN_IF_ERROR(channel->Send(HeadsRequest{sequences}));
    STARLOG_ASSIGN_OR_RETURN(Message answer, channel->Receive());
    const auto* heads = std::get_if<Heads>(&answer);
    if (heads == nullptr) return Unexpected(answer, "heads", channel->peer());
    other_head = heads->head.sequence;
    std::map<uint64_t, WirePoint> points;
    for (const WirePoint& p : heads->points) points[p.sequence] = p;
    return points;
  };
  STARLOG_RETURN_IF_ERROR(remote({}).status());
  return Compare(local, other_head, remote, options);
}

}  // namespace starlog::replication
