#pragma once

// The repository's service: the one process that writes it. It opens the
// repository for writing (holding the write lock for as long as it runs) and
// takes edits (protocol.h) from clients on a Unix domain socket, applying each
// with engine::ApplyEdit as the OS user of the client's process, read from
// the socket (SO_PEERCRED) and never from anything the client sends. A uid
// with no user name is refused. Edits from concurrent connections are applied
// concurrently; the store serializes them and shares fsyncs among them.
//
// Remote clients, optionally: TCP with TLS on tcp_address (never without
// TLS: a token must not cross the network in clear). There the user is the
// holder of the token the hello carries (user_tokens.h; the table is read at
// every hello, so a removed token stops working at once), or else, with
// client_ca_file, the subject CN of the client certificate TLS verified
// against that CA. Neither: PermissionDenied, and closed. The same requests,
// the same session code, the same policy as on the Unix socket.
//
// Bounds: at most max_connections at once (one more is told Unavailable and
// closed); a connection must say hello by hello_timeout (on TCP, the TLS
// handshake included) and may send nothing larger than a hello before it
// has; one silent for idle_timeout is closed; a request is at most
// kMaxRequestSize bytes, refused by its announced length. One user holds at
// most max_connections_per_user, counted once authenticated (on the Unix
// socket at once, by uid). On TCP, connections not yet authenticated are
// bounded apart (max_unauthenticated, and per peer address): one more evicts
// the oldest of them, so a flood of silent peers holds few threads and
// cannot keep a client out that completes its hello in time.
//
// Who may connect is the socket file's mode (socket_mode) and the folders
// above it: on Linux connecting needs write permission on the socket. The
// identity the service records is only as trustworthy as the repository's
// files are private to the service's account: anyone who can write them can
// write the registry without asking.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "starlog/codec/uuid.h"
#include "starlog/engine/event_store.h"
#include "starlog/result.h"

namespace starlog::service {

// "<root>/.starlog/service.sock".
std::string DefaultSocketPath(const std::string& root);

struct ServerOptions {
  std::string root;  // The repository served.
  // Where to listen. Default (empty): DefaultSocketPath(root).
  std::string socket_path;
  // The socket file's permission bits. Default: 0660 (the owner and the
  // service account's group may connect).
  mode_t socket_mode = 0660;
  // Connections served at once. Default: 256.
  int max_connections = 256;
  // Connections one OS user may hold at once, so that one user's idle
  // connections cannot keep everyone else out. 0: max_connections less a
  // quarter of it, at most 16, kept for other users (240 of 256: room for a
  // whole prompt-processing wave of one account, and for others beside it).
  int max_connections_per_user = 0;
  // From accept to the end of the hello exchange. Default: 5 s.
  std::chrono::milliseconds hello_timeout{5'000};
  // A connection with no request for this long is closed. Default: 5 min.
  std::chrono::milliseconds idle_timeout{300'000};
  // A message once begun, and a reply, must get through within this.
  // Default: 30 s.
  std::chrono::milliseconds io_timeout{30'000};
  // Remote clients: TCP on this address (HOST:PORT; port 0 picks a free
  // one), always inside TLS. Default (empty): none.
  std::string tcp_address;
  // The service's certificate chain and private key (PEM): required with
  // tcp_address.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Mutual TLS: a client certificate that chains to a certificate in this
  // file (PEM) names its user by its subject CN. Default (empty): tokens
  // only.
  std::string client_ca_file;
  // TCP connections in their TLS handshake or hello, at once. 0: a quarter
  // of max_connections, at least 1.
  int max_unauthenticated = 0;
  // Of those, from one IP address.
  int max_unauthenticated_per_address = 8;
  // The bytes one place request (ingest, import through the service) may
  // hand over, the sum of its files' sizes. Default: 64 GiB.
  uint64_t max_place_bytes = uint64_t{64} << 30;
  // How the repository is opened; read_only and follow must stay false.
  engine::StoreOptions store;
  // One line per notable thing (connections, refusals, errors). May be
  // called from several threads at once; the server serializes the calls.
  std::function<void(const std::string&)> log;
};

// Thread safety: Stop() and sessions() may be called from any thread while
// Run() runs.
class Server {
 public:
  // Opens the repository for writing and listens on the socket. A socket file
  // left by a service that died is replaced; Unavailable if a service answers
  // on it (or another process has the repository open for writing),
  // InvalidArgument if the path is not a socket or too long, or for a TCP
  // address without a certificate and key (or files that do not load),
  // NotFound if there is no repository.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  // Stops serving if Run() is still running, and removes the socket file.
  virtual ~Server() = default;

  virtual const std::string& socket_path() const = 0;
  // "host:port" the TCP listener bound; empty without one.
  virtual const std::string& tcp_address() const = 0;
  virtual const codec::Uuid& repository_id() const = 0;

  // Accepts and serves connections until Stop(); then closes the listening
  // socket, removes its file, waits for the connections' requests in flight
  // to be answered, and returns.
  virtual void Run() = 0;
  // Makes Run() return soon. Safe from any thread.
  virtual void Stop() = 0;
  // Connections being served now.
  virtual int sessions() const = 0;
};

}  // namespace starlog::service
