#pragma once

// The primary's side of replication: serves a repository's log and files to
// replicas (and its points and content to verifiers, `verify --content`
// read as of one point per connection) over TCP, one thread per connection, at most
// max_connections at once: one more is closed as soon as it is accepted. A
// peer has handshake_timeout for the whole handshake, and may send no more
// than a hello's worth of bytes per message before it has proven the key.
//
// The server opens the repository as a follower (StoreOptions::follow): it
// never takes the write lock, so `starlog` writers keep working while it
// serves, and their commits wake the sessions of replicas that are caught up.
// Each session paces itself by its replica's acks, so a slow or stuck replica
// holds up no writer and no other replica; one that goes silent past the
// timeout is dropped.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "starlog/codec/uuid.h"
#include "starlog/replication/channel.h"
#include "starlog/result.h"

namespace starlog::replication {

struct ServerOptions {
  std::string root;    // The repository served.
  std::string listen;  // HOST:PORT; port 0 picks a free one (see Server::address).
  std::string key;     // The shared key (ReadKeyFile).
  TlsOptions tls;      // cert_file and key_file: serve over TLS.
  // How long a caught-up replica waits before it hears caught_up again: the
  // heartbeat that tells each side the other is alive.
  std::chrono::milliseconds heartbeat{1000};
  // A peer silent this long (or slower to take what is sent) is dropped.
  std::chrono::milliseconds timeout = kDefaultTimeout;
  // The whole handshake (TLS included), however the peer spreads its bytes,
  // must end within this, or the connection is dropped. Default: 10 s.
  std::chrono::milliseconds handshake_timeout{10'000};
  // Connections served at once; more are closed at once. Default: 64.
  int max_connections = 64;
  // An events message carries at most this many events, or this many bytes
  // (but always one event, however large). A replica holds a few messages
  // at once, each at most kMaxMessageSize. Default: 1000 events, 4 MiB.
  size_t batch_events = 1000;
  size_t batch_bytes = 4 << 20;
  // One line per notable thing (connections, refusals, errors). May be
  // called from several threads at once; the server serializes the calls.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  // Opens the repository (as a follower) and binds the listening address.
  // NotFound if there is no repository; Unavailable if the address is taken.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  virtual ~Server() = default;

  // The address actually bound, "host:port".
  virtual std::string address() const = 0;
  virtual const codec::Uuid& repository_id() const = 0;

  // Accepts and serves connections until Stop(); then waits for the
  // sessions to end and returns.
  virtual void Run() = 0;
  // Makes Run() return soon. Safe from any thread (or a signal handler's flag
  // watcher).
  virtual void Stop() = 0;
  // Connections being served now.
  virtual int sessions() const = 0;
};

}  // namespace starlog::replication
