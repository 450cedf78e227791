#include "starlog/replication/channel.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "net/address.h"
#include "net/tls_context.h"

namespace starlog::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string Endpoint(const tcp::endpoint& e) {
  const std::string host = e.address().to_string();
  const std::string shown = e.address().is_v6() ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(e.port());
}

Status FromAsio(const error_code& ec, const std::string& what) {
  if (ec == asio::error::timed_out) return Status::TimedOut(what + ": timed out");
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return Status::IOError(what + ": the peer closed the connection");
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    return Status::PermissionDenied(what + ": TLS: " + ec.message());
  }
  return Status::IOError(what + ": " + ec.message());
}

}  // namespace

struct Channel::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  std::shared_ptr<asio::ssl::context> ssl;  // Set when the channel speaks TLS.
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  size_t max_message_size = kMaxMessageSize;
  bool sealed = false;
  std::string send_key;
  std::string receive_key;
  uint64_t sent = 0;      // Messages sent since Seal: the next one's counter.
  uint64_t received = 0;  // Likewise, received.
  std::string peer;
  std::string in;  // Received bytes not yet read as messages.

  // The time left for one operation: the timeout, cut short by the deadline.
  std::chrono::milliseconds Budget() const {
    if (!deadline) return timeout;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *deadline - std::chrono::steady_clock::now());
    return std::max(std::chrono::milliseconds(0), std::min(timeout, left));
  }

  // The message at the front of "in", removed from it; NotFound while it is
  // incomplete.
  Result<Message> Take() {
    std::string_view view(in);
    auto message = ReadChannelMessage(&view, max_message_size, sealed ? receive_key : "", received);
    if (message.ok()) {
      if (sealed) ++received;
      in.erase(0, in.size() - view.size());
    }
    return message;
  }

  // Runs one asynchronous operation to completion or the timeout. "start"
  // begins it with a completion handler taking (error_code, size_t).
  template <typename Start>
  error_code Run(Start start, size_t* bytes = nullptr) {
    std::optional<error_code> done;
    start([&](const error_code& ec, size_t n) {
      done = ec;
      if (bytes != nullptr) *bytes = n;
    });
    io.restart();
    io.run_for(Budget());
    if (!done) {
      // Abandon the operation: close the socket, let the handler see it.
      error_code ignored;
      socket.close(ignored);
      io.restart();
      io.run();
      return asio::error::timed_out;
    }
    return *done;
  }
};

Channel::Channel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Channel::~Channel() = default;

Result<std::unique_ptr<Channel>> Channel::Connect(const std::string& address, const TlsOptions& tls,
                                                  std::chrono::milliseconds timeout) {
  std::string host;
  uint16_t port = 0;
  STARLOG_RETURN_IF_ERROR(net::ParseAddress(address, &host, &port));
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  impl->peer = address;
  tcp::resolver resolver(impl->io);
  error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::IOError("cannot resolve '" + host + "': " + ec.message());
  ec = impl->Run([&](auto handler) {
    asio::async_connect(impl->socket, endpoints,
                        [handler](const error_code& e, const tcp::endpoint&) { handler(e, 0); });
  });
  if (ec) return FromAsio(ec, "cannot connect to " + address);
  impl->socket.set_option(tcp::no_delay(true), ec);
  if (!tls.ca_file.empty()) {
    STARLOG_ASSIGN_OR_RETURN(impl->ssl, net::ClientContext(tls.ca_file));
    impl->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(impl->socket, *impl->ssl);
    net::VerifyServer(*impl->tls, host);
    ec = impl->Run([&](auto handler) {
      impl->tls->async_handshake(asio::ssl::stream_base::client,
                                 [handler](const error_code& e) { handler(e, 0); });
    });
    if (ec) return FromAsio(ec, "TLS handshake with " + address);
  }
  return std::make_unique<Channel>(std::move(impl));
}

Status Channel::Handshake() {
  if (!impl_->tls) return Status::OK();
  const error_code ec = impl_->Run([&](auto handler) {
    impl_->tls->async_handshake(asio::ssl::stream_base::server,
                                [handler](const error_code& e) { handler(e, 0); });
  });
  return ec ? FromAsio(ec, "TLS handshake with " + impl_->peer) : Status::OK();
}

Status Channel::Send(const Message& message) {
  std::string bytes;
  if (impl_->sealed) {
    STARLOG_RETURN_IF_ERROR(AppendSealedMessage(message, impl_->send_key, impl_->sent++, &bytes));
  } else {
    STARLOG_RETURN_IF_ERROR(AppendMessage(message, &bytes));
  }
  const error_code ec = impl_->Run([&](auto handler) {
    if (impl_->tls) {
      asio::async_write(*impl_->tls, asio::buffer(bytes), handler);
    } else {
      asio::async_write(impl_->socket, asio::buffer(bytes), handler);
    }
  });
  if (ec) return FromAsio(ec, "sending to " + impl_->peer);
  return Status::OK();
}

Result<Message> Channel::Receive() {
  char buffer[64 * 1024];
  while (true) {
    auto message = impl_->Take();
    if (message.ok()) return message;
    if (!message.status().IsNotFound()) {
      return message.status().WithContext("from " + impl_->peer);
    }
    // Never more than the longest message allowed is held unread.
    const size_t room = std::min(sizeof(buffer), impl_->max_message_size);
    size_t n = 0;
    const error_code ec = impl_->Run(
        [&](auto handler) {
          if (impl_->tls) {
            impl_->tls->async_read_some(asio::buffer(buffer, room), handler);
          } else {
            impl_->socket.async_read_some(asio::buffer(buffer, room), handler);
          }
        },
        &n);
    if (ec) return FromAsio(ec, "receiving from " + impl_->peer);
    impl_->in.append(buffer, n);
  }
}

void Channel::set_timeout(std::chrono::milliseconds timeout) { impl_->timeout = timeout; }
void Channel::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  impl_->deadline = deadline;
}
void Channel::set_max_message_size(size_t bytes) { impl_->max_message_size = bytes; }
void Channel::Seal(std::string send_key, std::string receive_key) {
  impl_->sealed = true;
  impl_->send_key = std::move(send_key);
  impl_->receive_key = std::move(receive_key);
}
const std::string& Channel::peer() const { return impl_->peer; }

struct Listener::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::shared_ptr<asio::ssl::context> ssl;
};

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() = default;

Result<std::unique_ptr<Listener>> Listener::Bind(const std::string& address,
                                                 const TlsOptions& tls) {
  std::string host;
  uint16_t port = 0;
  STARLOG_RETURN_IF_ERROR(net::ParseAddress(address, &host, &port));
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and its private key");
  }
  auto impl = std::make_unique<Impl>();
  if (!tls.cert_file.empty()) {
    STARLOG_ASSIGN_OR_RETURN(impl->ssl, net::ServerContext(tls.cert_file, tls.key_file));
  }
  tcp::resolver resolver(impl->io);
  error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec || endpoints.empty()) {
    return Status::InvalidArgument("cannot resolve '" + host + "': " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + address + ": " + ec.message());
  return std::make_unique<Listener>(std::move(impl));
}

std::string Listener::address() const { return Endpoint(impl_->acceptor.local_endpoint()); }
uint16_t Listener::port() const { return impl_->acceptor.local_endpoint().port(); }

Result<std::unique_ptr<Channel>> Listener::Accept(std::chrono::milliseconds timeout) {
  auto channel = std::make_unique<Channel::Impl>();
  std::optional<error_code> done;
  impl_->acceptor.async_accept(channel->socket, [&](const error_code& ec) { done = ec; });
  impl_->io.restart();
  impl_->io.run_for(timeout);
  if (!done) {
    impl_->acceptor.cancel();
    impl_->io.restart();
    impl_->io.run();
    return Status::TimedOut("no connection");
  }
  if (*done) return FromAsio(*done, "accepting a connection");
  error_code ec;
  channel->peer = Endpoint(channel->socket.remote_endpoint(ec));
  channel->socket.set_option(tcp::no_delay(true), ec);
  if (impl_->ssl) {
    channel->ssl = impl_->ssl;
    channel->tls =
        std::make_unique<asio::ssl::stream<tcp::socket&>>(channel->socket, *channel->ssl);
  }
  return std::make_unique<Channel>(std::move(channel));
}

}  // namespace starlog::replication
