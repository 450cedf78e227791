#pragma once

// A connected Unix stream socket carrying service messages (protocol.h), on
// either side. Every operation ends by a deadline, so a peer that stops
// reading or writing costs a TimedOut, never a hung thread; a message is
// refused by the length its frame announces, before its bytes are buffered.
// Boost.Asio stays behind this header.
//
// Thread safety: one thread uses a stream at a time.

#include <chrono>
#include <memory>
#include <string>

#include "starlog/result.h"
#include "starlog/service/protocol.h"

namespace starlog::service {

class MessageStream {
 public:
  using Clock = std::chrono::steady_clock;
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

  // Takes over "fd", a connected AF_UNIX stream socket (an accepted one).
  static std::unique_ptr<MessageStream> Adopt(int fd);

  Status Send(const Message& message, Clock::time_point deadline);

  // The next message, at most "max_size" bytes with its framing. IOError when
  // the peer closes or the connection breaks, Corruption for a message that
  // does not decode or announces more than "max_size", TimedOut at
  // "deadline". After an error the stream is of no further use.
  // REQUIRES: max_size >= codec::kFrameOverhead.
  Result<Message> Receive(size_t max_size, Clock::time_point deadline);

  // The socket, for getsockopt (SO_PEERCRED).
  int native_handle();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace starlog::service
