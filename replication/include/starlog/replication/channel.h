#pragma once

// A connection that carries wire messages (wire.h): TCP, or TLS over TCP
// where certificates are configured. Every operation is bounded by the
// channel's timeout, so a peer that stops answering costs a TimedOut, never
// a hung thread, and a deadline can bound a whole exchange (the handshake).
// Until the handshake ends a channel takes only messages the size of a hello
// (set_max_message_size), refused by their announced length before anything
// is buffered; after it, every message carries a tag (Seal, auth.h), so a
// relay without the key can neither forge, alter, drop nor replay one.
// Boost.Asio stays behind this header.
//
// Thread safety: one thread uses a channel at a time.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "starlog/replication/wire.h"
#include "starlog/result.h"

namespace starlog::replication {

struct TlsOptions {
  // A server's certificate chain and private key (PEM files). Both or neither.
  std::string cert_file;
  std::string key_file;
  // A client's trusted certificates (PEM file): the server's certificate must
  // chain to one of them and name the host connected to.
  std::string ca_file;
};

inline constexpr std::chrono::milliseconds kDefaultTimeout{30'000};

class Channel {
 public:
  struct Impl;
  explicit Channel(std::unique_ptr<Impl> impl);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Connects to "address" (HOST:PORT) and, with a CA file in "tls", does the
  // TLS handshake, verifying the server's certificate. IOError (naming the
  // address) if nobody answers, TimedOut, or PermissionDenied for a
  // certificate that fails verification.
  static Result<std::unique_ptr<Channel>> Connect(const std::string& address, const TlsOptions& tls,
                                                  std::chrono::milliseconds timeout);

  // For an accepted channel: the server side of the TLS handshake, if the
  // listener has a certificate; OK at once otherwise.
  Status Handshake();

  Status Send(const Message& message);
  // The next message. IOError when the peer closes or the connection breaks,
  // Corruption for a damaged message, one longer than the maximum size, or
  // (sealed) one whose tag is wrong; TimedOut after the timeout or past the
  // deadline.
  Result<Message> Receive();

  void set_timeout(std::chrono::milliseconds timeout);
  // Every operation also ends by "deadline" (nullopt: no deadline).
  // Default: none.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);
  // The longest message (framing and tag included) Receive accepts; a longer
  // one is Corruption as soon as its length is read. Default: kMaxMessageSize.
  void set_max_message_size(size_t bytes);
  // From now on every message sent carries a tag under "send_key" and every
  // one received must carry a right one under "receive_key" (auth.h), the
  // counters of both directions starting at 0. Irreversible.
  void Seal(std::string send_key, std::string receive_key);
  // "host:port" of the other end.
  const std::string& peer() const;

 private:
  std::unique_ptr<Impl> impl_;
};

class Listener {
 public:
  struct Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  ~Listener();

  // Listens on "address" (HOST:PORT; port 0 picks a free one). With a
  // certificate and key in "tls", accepted channels speak TLS.
  static Result<std::unique_ptr<Listener>> Bind(const std::string& address, const TlsOptions& tls);

  // "host:port" actually bound.
  std::string address() const;
  uint16_t port() const;

  // The next connection (its TLS handshake not yet done: see Handshake), or
  // TimedOut when none arrives within "timeout".
  Result<std::unique_ptr<Channel>> Accept(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace starlog::replication
