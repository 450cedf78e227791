#include "net/tls_context.h"

#include <openssl/x509.h>

#include <functional>

namespace starlog::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Loads a PEM file into the context, naming the file on failure.
Status Load(const std::string& file, const char* what,
            const std::function<void(error_code&)>& load) {
  error_code ec;
  load(ec);
  if (ec) {
    return Status::InvalidArgument(std::string("cannot load the TLS ") + what + " '" + file +
                                   "': " + ec.message());
  }
  return Status::OK();
}

std::shared_ptr<TlsContext> Modern(TlsContext::method method) {
  auto context = std::make_shared<TlsContext>(method);
  context->set_options(TlsContext::no_sslv2 | TlsContext::no_sslv3 | TlsContext::no_tlsv1 |
                       TlsContext::no_tlsv1_1);
  return context;
}

Status LoadIdentity(TlsContext& context, const std::string& cert_file,
                    const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and its private key");
  }
  if (cert_file.empty()) return Status::OK();
  STARLOG_RETURN_IF_ERROR(Load(cert_file, "certificate", [&](error_code& e) {
    context.use_certificate_chain_file(cert_file, e);
  }));
  return Load(key_file, "private key",
              [&](error_code& e) { context.use_private_key_file(key_file, TlsContext::pem, e); });
}

}  // namespace

Result<std::shared_ptr<TlsContext>> ServerContext(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::string& client_ca_file) {
  if (cert_file.empty()) {
    return Status::InvalidArgument("a TLS server needs a certificate and its private key");
  }
  auto context = Modern(TlsContext::tls_server);
  STARLOG_RETURN_IF_ERROR(LoadIdentity(*context, cert_file, key_file));
  if (!client_ca_file.empty()) {
    STARLOG_RETURN_IF_ERROR(Load(client_ca_file, "client CA file", [&](error_code& e) {
      context->load_verify_file(client_ca_file, e);
    }));
    // Asked for, not required: clients with a token present none.
    context->set_verify_mode(asio::ssl::verify_peer);
  }
  return context;
}

Result<std::shared_ptr<TlsContext>> ClientContext(const std::string& ca_file,
                                                  const std::string& cert_file,
                                                  const std::string& key_file) {
  auto context = Modern(TlsContext::tls_client);
  if (ca_file.empty()) {
    error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) return Status::InvalidArgument("cannot load the system's TLS roots: " + ec.message());
  } else {
    STARLOG_RETURN_IF_ERROR(
        Load(ca_file, "CA file", [&](error_code& e) { context->load_verify_file(ca_file, e); }));
  }
  STARLOG_RETURN_IF_ERROR(LoadIdentity(*context, cert_file, key_file));
  return context;
}

std::optional<std::string> VerifiedPeerName(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  std::optional<std::string> name;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    const X509_NAME* subject = X509_get_subject_name(cert);
    const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    // Exactly one CN: with two, which names the user would be a guess.
    if (at >= 0 && X509_NAME_get_index_by_NID(subject, NID_commonName, at) < 0) {
      const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
      unsigned char* utf8 = nullptr;
      const int length = ASN1_STRING_to_UTF8(&utf8, data);
      if (length >= 0) name = std::string(reinterpret_cast<char*>(utf8), length);
      OPENSSL_free(utf8);
    }
  }
  X509_free(cert);
  return name;
}

}  // namespace starlog::net
