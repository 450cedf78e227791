#pragma once

// One connection on the primary: the handshake, then answering the peer
// (events from where its log ends, files, points for verification) until it
// leaves, fails, or the server stops.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "starlog/engine/content_source.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/channel.h"
#include "starlog/replication/server.h"

namespace starlog::replication {

class PrimarySession {
 public:
  PrimarySession(engine::EventStore& store, const ServerOptions& options,
                 std::unique_ptr<Channel> channel, std::function<void(const std::string&)> log,
                 const std::atomic<bool>& stopping);

  // Serves the peer. OK when it left in good order or the server stopped.
  Status Run();

 private:
  Status Converse();
  Status OnStart(const Start& start);
  // After an ack (or start): the events after those sent, or caught_up. With "wait", a
  // replica already told it is caught up hears again only when there is
  // something new or the heartbeat is due.
  Status SendNext(bool wait);
  Status SendEvents(uint64_t through);
  // A file is served only if it is the artifact of the dataset named (at
  // the head) and resolves to a regular file inside the root
  // (engine/repo_paths.h).
  Status SendFile(const FileRequest& request);
  Status SendHeads(const HeadsRequest& request);
  // Content for a verifier (wire.h): content_open fixes the point once per
  // connection; each page request is then answered from it.
  Status OpenContent();
  Status SendParts(const PartsRequest& request);
  Status SendEntries(const EntriesRequest& request);
  WirePoint PointOf(const engine::Head& head) const;

  engine::EventStore& store_;
  const ServerOptions& options_;
  std::unique_ptr<Channel> channel_;
  std::function<void(const std::string&)> log_;
  const std::atomic<bool>& stopping_;
  std::string role_;
  bool started_ = false;
  uint64_t replica_head_ = 0;  // The last event the replica acknowledged.
  // The last event sent: each ack (and start) asks for the events after it,
  // so a replica keeps a few messages in flight by acking before it applied
  // what it has.
  uint64_t sent_through_ = 0;
  bool told_caught_up_ = false;
  std::unique_ptr<engine::ContentSource> content_;
};

}  // namespace starlog::replication
