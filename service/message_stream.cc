#include "service/message_stream.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "starlog/codec/frame.h"

namespace starlog::service {

namespace asio = boost::asio;
using boost::system::error_code;
using Socket = asio::local::stream_protocol::socket;

struct MessageStream::Impl {
  asio::io_context io;
  Socket socket{io};
  std::string peer;  // For messages: the socket path, or "client".
  std::string in;    // Received bytes not yet read as messages.

  // Runs one asynchronous operation until it completes or "deadline" passes.
  // "start" begins it with a handler taking (error_code, size_t). Asio's
  // sends use MSG_NOSIGNAL, so a peer that has gone costs an error, not
  // SIGPIPE.
  template <typename Start>
  error_code RunUntil(Clock::time_point deadline, Start start, size_t* bytes = nullptr) {
    std::optional<error_code> done;
    start([&](const error_code& ec, size_t n) {
      done = ec;
      if (bytes != nullptr) *bytes = n;
    });
    io.restart();
    io.run_until(deadline);
    if (done) return *done;
    // Past the deadline the stream is out of step with its peer: close it, and
    // let the abandoned operation's handler run before "done" goes away.
    error_code ignored;
    socket.close(ignored);
    io.restart();
    io.run();
    return asio::error::timed_out;
  }

  Status FromAsio(const error_code& ec, std::string_view what) const {
    const std::string context = std::string(what) + " " + peer;
    if (ec == asio::error::timed_out) return Status::TimedOut(context + ": timed out");
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe) {
      return Status::IOError(context + ": the other side closed the connection");
    }
    if (ec == asio::error::connection_refused || ec == asio::error::not_found ||
        ec.value() == ENOENT) {
      return Status::NotFound(context + ": no service answers there (" + ec.message() + ")");
    }
    if (ec == asio::error::access_denied || ec.value() == EPERM) {
      return Status::PermissionDenied(context + ": " + ec.message());
    }
    return Status::IOError(context + ": " + ec.message());
  }
};

MessageStream::MessageStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MessageStream::~MessageStream() = default;

Result<std::unique_ptr<MessageStream>> MessageStream::Connect(const std::string& path,
                                                              Clock::time_point deadline) {
  auto impl = std::make_unique<Impl>();
  impl->peer = path;
  const asio::local::stream_protocol::endpoint endpoint(path);
  const error_code ec = impl->RunUntil(deadline, [&](auto handler) {
    impl->socket.async_connect(endpoint, [handler](const error_code& e) { handler(e, 0); });
  });
  if (ec) return impl->FromAsio(ec, "cannot connect to the service on");
  return std::make_unique<MessageStream>(std::move(impl));
}

std::unique_ptr<MessageStream> MessageStream::Adopt(int fd) {
  auto impl = std::make_unique<Impl>();
  impl->peer = "a client";
  error_code ignored;  // Assigning a fresh socket an open descriptor cannot fail.
  impl->socket.assign(asio::local::stream_protocol(), fd, ignored);
  return std::make_unique<MessageStream>(std::move(impl));
}

Status MessageStream::Send(const Message& message, Clock::time_point deadline) {
  std::string bytes;
  STARLOG_RETURN_IF_ERROR(AppendMessage(message, &bytes));
  const error_code ec = impl_->RunUntil(deadline, [&](auto handler) {
    asio::async_write(impl_->socket, asio::buffer(bytes), handler);
  });
  if (ec) return impl_->FromAsio(ec, "sending to");
  return Status::OK();
}

Result<Message> MessageStream::Receive(size_t max_size, Clock::time_point deadline) {
  char buffer[64 * 1024];
  while (true) {
    const uint64_t announced = codec::AnnouncedFrameSize(impl_->in);
    if (announced > max_size) {
      return Status::Corruption("a message of " + std::to_string(announced) +
                                " bytes, more than the " + std::to_string(max_size) + " accepted");
    }
    if (announced != 0 && impl_->in.size() >= announced) {
      auto message = DecodeMessage(std::string_view(impl_->in).substr(0, announced));
      impl_->in.erase(0, announced);
      return message;
    }
    // Read no further than "max_size" before the length is known, nor past
    // the message's end after: what is buffered never exceeds "max_size".
    const size_t want = (announced == 0 ? max_size : announced) - impl_->in.size();
    size_t n = 0;
    const error_code ec = impl_->RunUntil(
        deadline,
        [&](auto handler) {
          impl_->socket.async_read_some(asio::buffer(buffer, std::min(want, sizeof(buffer))),
                                        handler);
        },
        &n);
    if (ec == asio::error::eof && !impl_->in.empty()) {
      return Status::IOError("the other side closed the connection in the middle of a message");
    }
    if (ec) return impl_->FromAsio(ec, "receiving from");
    impl_->in.append(buffer, n);
  }
}

int MessageStream::native_handle() { return impl_->socket.native_handle(); }

}  // namespace starlog::service
