#include "python/src/service_connection.h"

#include <sys/stat.h>

#include "starlog/service/server.h"
#include "starlog/service/user_tokens.h"

namespace starlog::python {

namespace {

// A repository's folder stands for its service's default socket.
std::string SocketPath(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return service::DefaultSocketPath(path);
  }
  return path;
}

}  // namespace

Result<std::unique_ptr<service::Client>> ConnectTcp(const std::string& host_port,
                                                    const ConnectOptions& options) {
  service::RemoteOptions remote;
  remote.address = host_port;
  remote.ca_file = options.tls_ca;
  remote.cert_file = options.cert;
  remote.key_file = options.key;
  if (remote.cert_file.empty() != remote.key_file.empty()) {
    return Status::InvalidArgument("cert= and key= go together");
  }
  if (!options.token_file.empty()) {
    STARLOG_ASSIGN_OR_RETURN(remote.token, service::ReadTokenFile(options.token_file));
  }
  if (remote.token.empty() && remote.cert_file.empty()) {
    return Status::InvalidArgument(
        "a service on TCP needs to know who you are: token_file=, or "
        "cert= and key=");
  }
  return service::Client::ConnectRemote(remote, options.timeout);
}

Result<std::shared_ptr<ServiceConnection>> ServiceConnection::Open(const std::string& address,
                                                                   const ConnectOptions& options) {
  auto connection = std::make_shared<ServiceConnection>();
  connection->address_ = address;
  connection->options_ = options;
  // The CLI's rule (service::ParseServiceAddress) tells a socket from
  // HOST:PORT; a name it takes for neither is a socket path here, and a
  // repository's folder stands for its service's socket.
  auto parsed = service::ParseServiceAddress(address);
  if (parsed.ok() && parsed->tcp) {
    connection->host_port_ = parsed->address;
  } else {
    connection->socket_path_ = SocketPath(parsed.ok() ? parsed->socket_path : address);
  }
  if (connection->socket_path_.empty() && connection->host_port_.empty()) {
    return Status::InvalidArgument("connect: give unix:PATH, a socket's path or HOST:PORT");
  }
  if (connection->host_port_.empty() && (!options.tls_ca.empty() || !options.token_file.empty() ||
                                         !options.cert.empty() || !options.key.empty())) {
    return Status::InvalidArgument(
        "tls_ca, token_file, cert and key are for HOST:PORT; a Unix socket's service knows "
        "you by your OS user");
  }
  STARLOG_ASSIGN_OR_RETURN(auto client, connection->Open());
  connection->user_ = client->user();
  MutexLock lock(&connection->mu_);
  connection->client_ = std::move(client);
  return connection;
}

Result<std::unique_ptr<service::Client>> ServiceConnection::Open() const {
  if (!host_port_.empty()) return ConnectTcp(host_port_, options_);
  return service::Client::Connect(socket_path_, options_.timeout);
}

}  // namespace starlog::python
