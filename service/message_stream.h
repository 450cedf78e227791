#pragma once

// A connected stream carrying service messages (protocol.h), on either side:
// a Unix socket, or TCP inside TLS. Both are the same stream to the code
// above: every operation ends by a deadline, so a peer that stops reading or
// writing costs a TimedOut, never a hung thread, and a message is refused by
// the length its frame announces, before its bytes are buffered. Boost.Asio
// and OpenSSL stay behind this header.
//
// Thread safety: one thread uses a stream at a time.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/unique_fd.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"

namespace boost::asio::ssl {
class context;
}

namespace starlog::service {

class MessageStream {
 public:
  using Clock = std::chrono::steady_clock;
  using TlsContext = boost::asio::ssl::context;
  struct Impl;

  explicit MessageStream(std::unique_ptr<Impl> impl);
  ~MessageStream();
  MessageStream(const MessageStream&) = delete;
  MessageStream& operator=(const MessageStream&) = delete;

  // Connects to the socket at "path". NotFound if nothing listens there (no
  // such file, or a file nobody answers on: ECONNREFUSED), PermissionDenied
  // if the socket's mode or a folder on the way refuses this user, TimedOut,
  // IOError otherwise; each naming "path".
  static Result<std::unique_ptr<MessageStream>> Connect(const std::string& path,
                                                        Clock::time_point deadline);

  // Connects to "address" (HOST:PORT) over TCP and does the client side of
  // the TLS handshake with "context" (net::ClientContext), verifying that
  // the service's certificate chains to a trusted one and names HOST.
  // Unavailable if nobody answers, PermissionDenied if the certificate
  // fails verification (or the service refuses this client's), TimedOut.
  static Result<std::unique_ptr<MessageStream>> ConnectTls(const std::string& address,
                                                           std::shared_ptr<TlsContext> context,
                                                           Clock::time_point deadline);

  // Takes over "fd", a connected AF_UNIX stream socket (an accepted one).
  static std::unique_ptr<MessageStream> Adopt(int fd);

  // Takes over "fd", an accepted TCP socket, and does the server side of
  // the TLS handshake with "context" (net::ServerContext) by "deadline".
  // A peer that speaks anything but TLS fails here, before a byte of it is
  // read as a message.
  static Result<std::unique_ptr<MessageStream>> AcceptTls(int fd,
                                                          std::shared_ptr<TlsContext> context,
                                                          Clock::time_point deadline);

  // Sends "message"; with "descriptors" (on a Unix socket only: NotSupported
  // otherwise; at most kMaxDescriptorsPerMessage), those go with its first
  // byte as SCM_RIGHTS, duplicated by the kernel: the caller keeps its own.
  Status Send(const Message& message, Clock::time_point deadline,
              const std::vector<int>& descriptors = {});

  // The next message, at most "max_size" bytes with its framing. IOError when
  // the peer closes or the connection breaks, Corruption for a message that
  // does not decode or announces more than "max_size", TimedOut at
  // "deadline". After an error the stream is of no further use.
  // REQUIRES: max_size >= codec::kFrameOverhead.
  Result<Message> Receive(size_t max_size, Clock::time_point deadline);

  // The descriptors received since the last call, owned by the caller now:
  // on a Unix socket, those that came with the bytes of the messages
  // Receive returned since (a read stops at a message's end, so after each
  // Receive they are the ones sent with that message). InvalidArgument if
  // more than kMaxDescriptorsPerMessage came at once (all of them are
  // closed then).
  Result<std::vector<UniqueFd>> TakeDescriptors();

  // On the server side of TLS: the subject CN of the client's certificate,
  // if it sent one and it verified (net::VerifiedPeerName); nullopt
  // otherwise, and on a Unix socket.
  std::optional<std::string> peer_certificate_name();

  // The socket, for getsockopt (SO_PEERCRED).
  int native_handle();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace starlog::service
