#pragma once

// TLS contexts for starlog's TCP connections (replication, the service):
// TLS 1.2 or later, certificates and keys read from PEM files, every load
// failure naming its file. One context serves any number of connections;
// make it once, at start, so a bad file is reported before anyone connects.

#include <boost/asio/ssl.hpp>
#include <memory>
#include <optional>
#include <string>

#include "starlog/result.h"

namespace starlog::net {

using TlsContext = boost::asio::ssl::context;

// A server's context: its certificate chain and private key. With
// "client_ca_file", clients are asked for a certificate, and one sent must
// chain to a certificate in that file or the handshake fails (a client may
// send none: VerifiedPeerName then says so). InvalidArgument naming the
// file that does not load.
Result<std::shared_ptr<TlsContext>> ServerContext(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::string& client_ca_file = "");

// A client's context: the server's certificate must chain to one in
// "ca_file" (empty: the system's trusted roots). With "cert_file" and
// "key_file", the client presents that certificate (mutual TLS).
Result<std::shared_ptr<TlsContext>> ClientContext(const std::string& ca_file,
                                                  const std::string& cert_file = "",
                                                  const std::string& key_file = "");

// Makes the client side of "stream" verify the server's certificate and that
// it names "host", and send "host" as server name indication. Call before
// the handshake.
template <typename Stream>
void VerifyServer(Stream& stream, const std::string& host) {
  stream.set_verify_mode(boost::asio::ssl::verify_peer);
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
}

// After a server-side handshake: the subject common name (CN) of the
// certificate the client presented, if it sent one and it verified; nullopt
// otherwise (no certificate, or no CN, or several).
std::optional<std::string> VerifiedPeerName(SSL* ssl);

}  // namespace starlog::net
