#pragma once

// A connected Repository's link to its service (Repository.connect): the
// address, how to reach it, and one Client for the calls of the repository
// and its views, one call at a time (a Client is not thread-safe). A call
// that holds a connection for long (a lazy query being read, a wait) opens
// its own with Open(), so that it holds up no other call.

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "starlog/mutex.h"
#include "starlog/result.h"
#include "starlog/service/client.h"
#include "starlog/thread_annotations.h"

namespace starlog::python {

struct ConnectOptions {
  std::chrono::milliseconds timeout = service::kDefaultClientTimeout;
  // TCP only (HOST:PORT), inside the service's TLS: the CA file its
  // certificate must chain to, a token file (`starlog user add`), or a
  // client certificate and key.
  std::string tls_ca;
  std::string token_file;
  std::string cert;
  std::string key;
};

// The service at "host_port" over TCP+TLS: the one place that knows how.
Result<std::unique_ptr<service::Client>> ConnectTcp(const std::string& host_port,
                                                    const ConnectOptions& options);

class ServiceConnection {
 public:
  // "address": "unix:PATH", a socket's path, a repository's folder (its
  // service's default socket) or "HOST:PORT".
  static Result<std::shared_ptr<ServiceConnection>> Open(const std::string& address,
                                                         const ConnectOptions& options);

  // A new Client of the same service.
  Result<std::unique_ptr<service::Client>> Open() const;

  // Runs "call" with the shared Client, one caller at a time. A connection
  // broken under it (IOError, Unavailable, TimedOut) is dropped, and the
  // next call connects again.
  template <typename F>
  auto With(F&& call) -> decltype(call(std::declval<service::Client&>())) {
    MutexLock lock(&mu_);
    if (client_ == nullptr) {
      auto client = Open();
      if (!client.ok()) return client.status();
      client_ = std::move(*client);
    }
    auto result = call(*client_);
    const Status& status = StatusOf(result);
    if (status.IsIOError() || status.IsUnavailable() || status.IsTimedOut()) client_.reset();
    return result;
  }

  const std::string& address() const { return address_; }
  // Who the service records this connection's edits as.
  const std::string& user() const { return user_; }

 private:
  static const Status& StatusOf(const Status& s) { return s; }
  template <typename T>
  static const Status& StatusOf(const Result<T>& r) {
    return r.status();
  }

  std::string address_;
  std::string socket_path_;  // Empty for TCP.
  std::string host_port_;
  ConnectOptions options_;
  std::string user_;
  Mutex mu_;
  std::unique_ptr<service::Client> client_ GUARDED_BY(mu_);
};

}  // namespace starlog::python
