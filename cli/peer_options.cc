#include "cli/peer_options.h"

#include <csignal>

#include "starlog/replication/auth.h"

namespace starlog::cli {

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int signal) {
  if (g_stop.exchange(true)) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
}

}  // namespace

OptionSpec KeyOption() {
  return {"key", "FILE",
          "the shared key (at least 16 bytes; the same file on both sides, readable by its "
          "owner only (chmod 600); it never crosses the network)"};
}

OptionSpec TlsCaOption() {
  return {"tls-ca", "FILE", "connect over TLS, trusting the certificates in FILE (PEM)"};
}

Result<std::string> SharedKey(const ParsedArgs& args) {
  auto file = args.Get("key");
  if (!file) return UsageError("give --key FILE (the shared key)");
  return replication::ReadKeyFile(*file);
}

replication::TlsOptions Tls(const ParsedArgs& args) {
  replication::TlsOptions tls;
  tls.cert_file = args.GetOr("tls-cert", "");
  tls.key_file = args.GetOr("tls-key", "");
  tls.ca_file = args.GetOr("tls-ca", "");
  return tls;
}

const std::atomic<bool>& StopOnSignal() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  return g_stop;
}

}  // namespace starlog::cli
