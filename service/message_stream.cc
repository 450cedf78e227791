#include "service/message_stream.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "net/address.h"
#include "net/tls_context.h"
#include "service/descriptor_passing.h"
#include "starlog/codec/frame.h"

namespace starlog::service {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

using Handler = std::function<void(const error_code&, size_t)>;

// What a stream reads and writes through: the one difference between a Unix
// socket and TLS over TCP.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Write(asio::const_buffer bytes, Handler done) = 0;
  virtual void ReadSome(asio::mutable_buffer bytes, Handler done) = 0;
  // Ends the connection at once; a pending operation completes with an error.
  virtual void Close() = 0;
  virtual int native_handle() = 0;
};

// A transport over an Asio stream: a Unix socket, or TLS over a TCP socket.
template <typename Stream>
class AsioTransport final : public Transport {
 public:
  template <typename... Args>
  explicit AsioTransport(Args&&... args) : stream(std::forward<Args>(args)...) {}
  void Write(asio::const_buffer bytes, Handler done) override {
    asio::async_write(stream, bytes, std::move(done));
  }
  void ReadSome(asio::mutable_buffer bytes, Handler done) override {
    stream.async_read_some(bytes, std::move(done));
  }
  void Close() override {
    error_code ignored;
    stream.lowest_layer().close(ignored);
  }
  int native_handle() override { return stream.lowest_layer().native_handle(); }

  Stream stream;
};

// A Unix socket, read and written with recvmsg and sendmsg so that
// descriptors can travel with the bytes (SCM_RIGHTS). Every read takes the
// descriptors that come, so that none is dropped unseen: the code above
// decides whether the message they came with takes any.
class UnixTransport final : public Transport {
 public:
  explicit UnixTransport(asio::io_context& io) : stream(io) {}

  void Write(asio::const_buffer bytes, Handler done) override {
    if (outgoing.empty()) {
      asio::async_write(stream, bytes, std::move(done));
      return;
    }
    stream.async_wait(asio::socket_base::wait_write, [this, bytes, done](const error_code& ec) {
      if (ec) return done(ec, 0);
      const ssize_t n = SendWithDescriptors(bytes);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Write(bytes, done);
        return done(error_code(errno, boost::system::system_category()), 0);
      }
      // The descriptors went with the first byte; the rest is plain bytes.
      outgoing.clear();
      const size_t sent = static_cast<size_t>(n);
      if (sent == bytes.size()) return done({}, sent);
      asio::async_write(
          stream, asio::buffer(static_cast<const char*>(bytes.data()) + sent, bytes.size() - sent),
          [sent, done](const error_code& e, size_t m) { done(e, sent + m); });
    });
  }

  void ReadSome(asio::mutable_buffer bytes, Handler done) override {
    stream.async_wait(asio::socket_base::wait_read, [this, bytes, done](const error_code& ec) {
      if (ec) return done(ec, 0);
      const ssize_t n = ReceiveWithDescriptors(bytes);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return ReadSome(bytes, done);
        return done(error_code(errno, boost::system::system_category()), 0);
      }
      if (n == 0) return done(asio::error::eof, 0);
      done({}, static_cast<size_t>(n));
    });
  }

  void Close() override {
    error_code ignored;
    stream.close(ignored);
  }
  int native_handle() override { return stream.native_handle(); }

  asio::local::stream_protocol::socket stream;
  std::vector<int> outgoing;       // Borrowed: sent with the next Write's first byte.
  std::vector<UniqueFd> received;  // Owned from the moment they arrive.
  bool truncated = false;          // More came with one read than kMaxDescriptorsPerMessage.

 private:
  ssize_t SendWithDescriptors(asio::const_buffer bytes) {
    return service::SendWithDescriptors(stream.native_handle(), bytes.data(), bytes.size(),
                                        outgoing, MSG_DONTWAIT);
  }

  ssize_t ReceiveWithDescriptors(asio::mutable_buffer bytes) {
    iovec iov{bytes.data(), bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxDescriptorsPerMessage)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    const ssize_t n = ::recvmsg(stream.native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    // Past the buffer the kernel closes the rest itself (MSG_CTRUNC).
    if ((msg.msg_flags & MSG_CTRUNC) != 0) truncated = true;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        received.emplace_back(fd);
      }
    }
    return n;
  }
};

using TlsTransport = AsioTransport<asio::ssl::stream<tcp::socket>>;

}  // namespace

struct MessageStream::Impl {
  asio::io_context io;
  std::shared_ptr<TlsContext> context;   // With TLS; outlives the transport.
  std::unique_ptr<Transport> transport;  // Goes before "io" and "context".
  TlsTransport* tls = nullptr;           // The transport, when it is TLS.
  UnixTransport* unix_socket = nullptr;  // The transport, when it is a Unix socket.
  std::string peer;  // For messages: the socket path, the address, or "a client".
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
    transport->Close();
    io.restart();
    io.run();
    return asio::error::timed_out;
  }

  Status FromAsio(const error_code& ec, std::string_view what) const {
    const std::string context = std::string(what) + " " + peer;
    if (ec == asio::error::timed_out) return Status::TimedOut(context + ": timed out");
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated) {
      return Status::IOError(context + ": the other side closed the connection");
    }
    if (ec == asio::error::connection_refused || ec == asio::error::not_found ||
        ec.value() == ENOENT) {
      return Status::NotFound(context + ": no service answers there (" + ec.message() + ")");
    }
    if (ec == asio::error::access_denied || ec.value() == EPERM) {
      return Status::PermissionDenied(context + ": " + ec.message());
    }
    if (ec.category() == asio::error::get_ssl_category()) {
      return Status::PermissionDenied(context + ": TLS: " + ec.message());
    }
    return Status::IOError(context + ": " + ec.message());
  }

  // The TLS handshake of "tls" as "side", by "deadline".
  Status Handshake(asio::ssl::stream_base::handshake_type side, Clock::time_point deadline) {
    const error_code ec = RunUntil(deadline, [&](auto handler) {
      tls->stream.async_handshake(side, [handler](const error_code& e) { handler(e, 0); });
    });
    if (ec) return FromAsio(ec, "TLS handshake with");
    return Status::OK();
  }
};

MessageStream::MessageStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MessageStream::~MessageStream() = default;

Result<std::unique_ptr<MessageStream>> MessageStream::Connect(const std::string& path,
                                                              Clock::time_point deadline) {
  auto impl = std::make_unique<Impl>();
  impl->peer = path;
  auto transport = std::make_unique<UnixTransport>(impl->io);
  auto& socket = transport->stream;
  impl->unix_socket = transport.get();
  impl->transport = std::move(transport);
  const asio::local::stream_protocol::endpoint endpoint(path);
  const error_code ec = impl->RunUntil(deadline, [&](auto handler) {
    socket.async_connect(endpoint, [handler](const error_code& e) { handler(e, 0); });
  });
  if (ec) return impl->FromAsio(ec, "cannot connect to the service on");
  return std::make_unique<MessageStream>(std::move(impl));
}

Result<std::unique_ptr<MessageStream>> MessageStream::ConnectTls(
    const std::string& address, std::shared_ptr<TlsContext> context, Clock::time_point deadline) {
  std::string host;
  uint16_t port = 0;
  STARLOG_RETURN_IF_ERROR(net::ParseAddress(address, &host, &port));
  auto impl = std::make_unique<Impl>();
  impl->peer = address;
  impl->context = std::move(context);
  auto transport = std::make_unique<TlsTransport>(impl->io, *impl->context);
  impl->tls = transport.get();
  impl->transport = std::move(transport);
  tcp::socket& socket = impl->tls->stream.next_layer();
  tcp::resolver resolver(impl->io);
  error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::Unavailable("cannot resolve '" + host + "': " + ec.message());
  ec = impl->RunUntil(deadline, [&](auto handler) {
    asio::async_connect(socket, endpoints,
                        [handler](const error_code& e, const tcp::endpoint&) { handler(e, 0); });
  });
  if (ec) {
    const Status s = impl->FromAsio(ec, "cannot connect to the service on");
    if (s.IsNotFound()) return Status::Unavailable(s.message());
    return s;
  }
  socket.set_option(tcp::no_delay(true), ec);
  net::VerifyServer(impl->tls->stream, host);
  STARLOG_RETURN_IF_ERROR(impl->Handshake(asio::ssl::stream_base::client, deadline));
  return std::make_unique<MessageStream>(std::move(impl));
}

std::unique_ptr<MessageStream> MessageStream::Adopt(int fd) {
  auto impl = std::make_unique<Impl>();
  impl->peer = "a client";
  auto transport = std::make_unique<UnixTransport>(impl->io);
  error_code ignored;  // Assigning a fresh socket an open descriptor cannot fail.
  transport->stream.assign(asio::local::stream_protocol(), fd, ignored);
  impl->unix_socket = transport.get();
  impl->transport = std::move(transport);
  return std::make_unique<MessageStream>(std::move(impl));
}

Result<std::unique_ptr<MessageStream>> MessageStream::AcceptTls(int fd,
                                                                std::shared_ptr<TlsContext> context,
                                                                Clock::time_point deadline) {
  auto impl = std::make_unique<Impl>();
  impl->context = std::move(context);
  auto transport = std::make_unique<TlsTransport>(impl->io, *impl->context);
  tcp::socket& socket = transport->stream.next_layer();
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  const bool v6 = ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
                  local.ss_family == AF_INET6;
  error_code ec;
  socket.assign(v6 ? tcp::v6() : tcp::v4(), fd, ec);
  const auto remote = socket.remote_endpoint(ec);
  impl->peer = ec ? "a client" : remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  impl->tls = transport.get();
  impl->transport = std::move(transport);
  STARLOG_RETURN_IF_ERROR(impl->Handshake(asio::ssl::stream_base::server, deadline));
  return std::make_unique<MessageStream>(std::move(impl));
}

Status MessageStream::Send(const Message& message, Clock::time_point deadline,
                           const std::vector<int>& descriptors) {
  std::string bytes;
  STARLOG_RETURN_IF_ERROR(AppendMessage(message, &bytes));
  if (!descriptors.empty()) {
    if (impl_->unix_socket == nullptr) {
      return Status::NotSupported("descriptors travel on a Unix socket only, not to " +
                                  impl_->peer);
    }
    if (descriptors.size() > kMaxDescriptorsPerMessage) {
      return Status::InvalidArgument(
          std::to_string(descriptors.size()) + " descriptors, more than the " +
          std::to_string(kMaxDescriptorsPerMessage) + " one message may carry");
    }
    impl_->unix_socket->outgoing = descriptors;
  }
  const error_code ec = impl_->RunUntil(
      deadline, [&](auto handler) { impl_->transport->Write(asio::buffer(bytes), handler); });
  if (impl_->unix_socket != nullptr) impl_->unix_socket->outgoing.clear();
  if (ec) return impl_->FromAsio(ec, "sending to");
  return Status::OK();
}

Result<std::vector<UniqueFd>> MessageStream::TakeDescriptors() {
  if (impl_->unix_socket == nullptr) return std::vector<UniqueFd>();
  std::vector<UniqueFd> taken = std::move(impl_->unix_socket->received);
  impl_->unix_socket->received.clear();
  if (impl_->unix_socket->truncated) {
    impl_->unix_socket->truncated = false;
    // "taken" closes those that did arrive.
    return Status::InvalidArgument("more than " + std::to_string(kMaxDescriptorsPerMessage) +
                                   " descriptors with one message");
  }
  return taken;
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
          impl_->transport->ReadSome(asio::buffer(buffer, std::min(want, sizeof(buffer))), handler);
        },
        &n);
    if ((ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) &&
        !impl_->in.empty()) {
      return Status::IOError("the other side closed the connection in the middle of a message");
    }
    if (ec) return impl_->FromAsio(ec, "receiving from");
    impl_->in.append(buffer, n);
  }
}

std::optional<std::string> MessageStream::peer_certificate_name() {
  if (impl_->tls == nullptr) return std::nullopt;
  return net::VerifiedPeerName(impl_->tls->stream.native_handle());
}

int MessageStream::native_handle() { return impl_->transport->native_handle(); }

}  // namespace starlog::service
