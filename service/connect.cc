#include "starlog/codec/text.h"
#include "starlog/service/client.h"

namespace starlog::service {

Result<ServiceAddress> ParseServiceAddress(const std::string& where) {
  ServiceAddress out;
  if (where.rfind("unix:", 0) == 0) {
    out.socket_path = where.substr(5);
  } else if (where.find('/') != std::string::npos) {
    out.socket_path = where;
  } else if (where.find(':') != std::string::npos) {
    out.tcp = true;
    out.address = where;
  } else {
    return Status::InvalidArgument(codec::Quoted(where) +
                                   " is neither a socket (unix:PATH, or a path with a '/') nor "
                                   "HOST:PORT");
  }
  if (!out.tcp && out.socket_path.empty()) {
    return Status::InvalidArgument("unix: names no socket");
  }
  return out;
}

Result<std::unique_ptr<Client>> ConnectTo(const std::string& where, RemoteOptions remote,
                                          std::chrono::milliseconds timeout) {
  STARLOG_ASSIGN_OR_RETURN(ServiceAddress address, ParseServiceAddress(where));
  if (!address.tcp) return Client::Connect(address.socket_path, timeout);
  remote.address = address.address;
  return Client::ConnectRemote(remote, timeout);
}

}  // namespace starlog::service
