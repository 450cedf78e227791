#include <chrono>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/peer_options.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/mutex.h"
#include "starlog/replication/replication_status.h"
#include "starlog/replication/server.h"
#include "starlog/service/server.h"

namespace starlog::cli {

namespace {

using LogFn = std::function<void(const std::string&)>;

Result<mode_t> ParseMode(const std::string& text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
    return UsageError("--socket-mode takes octal permission bits, such as 0660");
  }
  const unsigned long mode = std::stoul(text, nullptr, 8);
  if (mode > 0777) return UsageError("--socket-mode takes permission bits only (at most 0777)");
  return static_cast<mode_t>(mode);
}

Result<int> Bounded(const ParsedArgs& args, const std::string& option, int fallback) {
  STARLOG_ASSIGN_OR_RETURN(auto value, args.GetUint(option));
  if (!value) return fallback;
  if (*value < 1 || *value > 10'000) return UsageError("--" + option + " takes 1 to 10000");
  return static_cast<int>(*value);
}

// The service's duty: whether to run it, and its options.
Result<std::optional<service::ServerOptions>> ServiceOptions(const ParsedArgs& args,
                                                             const LogFn& log) {
  // The service runs unless asked not to: every command writes through it.
  // --no-service keeps the old replication-only primary, which takes no
  // write lock (local writers keep writing beside it). A replica is written
  // by its replicate process alone: serving it (to replicas further on, a
  // cascade) is replication only.
  const bool replica = replication::ReadReplicationStatus(args.positional(0)).ok();
  if (args.Has("no-service") || replica) {
    for (const char* option :
         {"service", "socket", "socket-mode", "max-clients", "max-clients-per-user",
          "service-listen", "client-ca", "max-unauthenticated", "max-ingest-bytes"}) {
      if (args.Has(option)) {
        return UsageError(std::string("--") + option + " is for the service, which " +
                          (replica ? "a replica does not run (its replicate process writes it)"
                                   : "--no-service turns off"));
      }
    }
    if (!args.Has("key")) {
      return UsageError(replica ? "a replica serves only replication: give --key FILE"
                                : "--no-service leaves nothing to serve: give --key FILE to "
                                  "replicate");
    }
    return std::optional<service::ServerOptions>();
  }
  service::ServerOptions options;
  options.root = args.positional(0);
  options.socket_path = args.GetOr("socket", service::DefaultSocketPath(options.root));
  if (auto mode = args.Get("socket-mode")) {
    STARLOG_ASSIGN_OR_RETURN(options.socket_mode, ParseMode(*mode));
  }
  STARLOG_ASSIGN_OR_RETURN(options.max_connections,
                           Bounded(args, "max-clients", options.max_connections));
  STARLOG_ASSIGN_OR_RETURN(options.max_connections_per_user,
                           Bounded(args, "max-clients-per-user", 0));
  options.tcp_address = args.GetOr("service-listen", "");
  if (options.tcp_address.empty() && (args.Has("client-ca") || args.Has("max-unauthenticated"))) {
    return UsageError(
        "--client-ca and --max-unauthenticated are for remote clients: give "
        "--service-listen HOST:PORT too");
  }
  if (!options.tcp_address.empty() && (!args.Has("tls-cert") || !args.Has("tls-key"))) {
    return UsageError(
        "--service-listen serves remote clients over TLS only: give --tls-cert FILE and "
        "--tls-key FILE (tokens must never cross the network in clear)");
  }
  options.tls_cert_file = args.GetOr("tls-cert", "");
  options.tls_key_file = args.GetOr("tls-key", "");
  options.client_ca_file = args.GetOr("client-ca", "");
  STARLOG_ASSIGN_OR_RETURN(options.max_unauthenticated, Bounded(args, "max-unauthenticated", 0));
  if (args.Has("max-ingest-bytes")) {
    STARLOG_ASSIGN_OR_RETURN(auto bytes, args.GetUint("max-ingest-bytes"));
    if (!bytes || *bytes < 1) return UsageError("--max-ingest-bytes takes a positive number");
    options.max_place_bytes = *bytes;
  }
  options.log = [log](const std::string& line) { log("service: " + line); };
  return std::optional<service::ServerOptions>(std::move(options));
}

// The replication duty, when a key is given.
Result<std::optional<replication::ServerOptions>> ReplicationOptions(const ParsedArgs& args,
                                                                     const LogFn& log) {
  if (!args.Has("key")) return std::optional<replication::ServerOptions>();
  replication::ServerOptions options;
  options.root = args.positional(0);
  options.listen = args.GetOr("listen", "127.0.0.1:7650");
  STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
  options.tls = Tls(args);
  STARLOG_ASSIGN_OR_RETURN(options.max_connections,
                           Bounded(args, "max-connections", options.max_connections));
  options.log = log;
  return std::optional<replication::ServerOptions>(std::move(options));
}

Status Run(const ParsedArgs& args, Io& io) {
  const std::string root = args.positional(0);
  Mutex log_mu;  // Both servers log, each from several threads.
  const LogFn log = [&io, &log_mu](const std::string& line) {
    if (!io.Shows(LogLevel::kInfo)) return;
    MutexLock lock(&log_mu);
    // Lines quote what peers sent (roles, paths, errors): printed escaped.
    io.err << codec::FormatIsoTime(codec::NowUtcNs(), 3) << " " << codec::Printable(line)
           << std::endl;
  };
  STARLOG_ASSIGN_OR_RETURN(auto service_options, ServiceOptions(args, log));
  STARLOG_ASSIGN_OR_RETURN(auto replication_options, ReplicationOptions(args, log));
  if (!args.Has("key") && (args.Has("listen") || args.Has("max-connections"))) {
    return UsageError("--listen and --max-connections are for replication: give --key FILE too");
  }

  // The service first: it is the writer, and the replication server follows
  // what it writes.
  std::unique_ptr<service::Server> service;
  if (service_options) {
    STARLOG_ASSIGN_OR_RETURN(service, service::Server::Start(std::move(*service_options)));
  }
  std::unique_ptr<replication::Server> replication;
  if (replication_options) {
    STARLOG_ASSIGN_OR_RETURN(replication, replication::Server::Start(*replication_options));
  }
  const codec::Uuid& id = service ? service->repository_id() : replication->repository_id();

  const std::atomic<bool>& stop = StopOnSignal();
  // Tests and scripts read this line: the socket, and (last, as before the
  // service existed) the address chosen for ":0".
  io.out << "serving " << root << " (repository " << id.ToString() << ")";
  if (service) io.out << " on " << service->socket_path();
  if (service && !service->tcp_address().empty()) {
    io.out << " and remote clients on " << service->tcp_address() << " over TLS";
  }
  if (service && replication) io.out << " and";
  if (replication) {
    io.out << " on " << replication->address()
           << (replication_options->tls.cert_file.empty() ? "" : " over TLS");
  }
  io.out << std::endl;

  std::thread watcher([&] {
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (service) service->Stop();
    if (replication) replication->Stop();
  });
  std::thread service_thread;
  if (service) service_thread = std::thread([&] { service->Run(); });
  if (replication) replication->Run();
  if (service_thread.joinable()) service_thread.join();
  watcher.join();
  io.err << "stopped serving " << root << std::endl;
  return Status::OK();
}

}  // namespace

CommandSpec ServeCommand() {
  return {
      .name = "serve",
      .summary = "run a repository's service: its one writer, and replication's primary",
      .description =
          "The service: the one process that writes the repository. It holds the write\n"
          "lock and takes edits from clients on a Unix socket (default\n"
          "PATH/.starlog/service.sock), many at once, recording each as the OS user of\n"
          "the client's process, which the kernel reports (SO_PEERCRED): no flag or\n"
          "message can claim another. Who may connect is the socket's mode\n"
          "(--socket-mode, default 0660: the owner and the group); the repository's\n"
          "files should be writable by the service's account only, or the recorded\n"
          "users mean nothing. A socket left by a killed service is replaced; a second\n"
          "service for the same socket is refused. At most --max-clients connections\n"
          "at once (more are refused with an error); a client must say hello within\n"
          "5 s, and one idle for 5 minutes is closed.\n"
          "\n"
          "Remote clients, with --service-listen HOST:PORT: the same service on TCP,\n"
          "always inside TLS (--tls-cert and --tls-key are required). A client is the\n"
          "user whose token it sends (issued by `starlog user add`, checked against\n"
          "PATH/.starlog/tokens at every connection, so `starlog user remove` takes\n"
          "effect at once), or, with --client-ca FILE, the subject CN of a client\n"
          "certificate signed by that CA. Neither: refused. Nothing but the hello is\n"
          "read before that, the TLS handshake and hello within 5 s; at most\n"
          "--max-unauthenticated connections (default a quarter of --max-clients),\n"
          "8 per address, may be that far at once: one more ends the oldest.\n"
          "--listen is replication's address, --service-listen the service's; the\n"
          "certificate serves both.\n"
          "\n"
          "Replication, with --key: the primary's side. Replicas (`starlog replicate`)\n"
          "connect, prove they hold the shared key, and receive every event from where\n"
          "their log ends, then new events as they are written, and the files of\n"
          "datasets on request. Any number at once, each paced by its own acks: a slow\n"
          "replica holds up no writer and no other replica. At most --max-connections\n"
          "peers at once (more are closed at once); a peer must finish the handshake\n"
          "within 10 s, and may send no more than a hello before it has proven the key.\n"
          "Every message after the handshake carries a MAC under a per-connection key,\n"
          "with or without TLS. The service runs beside replication unless\n"
          "--no-service is given: then serve replicates only and takes no write lock,\n"
          "so other `starlog` commands write the repository themselves.\n"
          "\n"
          "Files: ingest and import hand their files to the service as open\n"
          "descriptors on the Unix socket; it copies them in as its own account, at\n"
          "most --max-ingest-bytes in one request (default 64 GiB).\n"
          "\n"
          "Prints where it listens, then a line per connection on stderr.\n"
          "Ends on SIGINT or SIGTERM.",
      .positionals = {{"PATH", "repository folder"}},
      .options =
          {{"socket", "PATH", "the service's Unix socket (default PATH/.starlog/service.sock)"},
           {"socket-mode", "OCTAL", "the socket's permission bits (default 0660)"},
           {"max-clients", "N", "service connections at once (default 256)"},
           {"max-clients-per-user", "N",
            "connections one OS user may hold (default: --max-clients less a quarter, at most 16)"},
           {"service", "", "run the service (the default; kept for old scripts)"},
           {"no-service", "",
            "replicate only (with --key): no service, no write lock, local writers write"},
           {"max-ingest-bytes", "N",
            "bytes one ingest or import request may hand the service (default 64 GiB)"},
           {"service-listen", "HOST:PORT",
            "the service for remote clients too, on TCP with TLS (needs --tls-cert, --tls-key; "
            "port 0 picks one)"},
           {"client-ca", "FILE",
            "remote clients may present a certificate signed by a CA in FILE (PEM): its subject "
            "CN is the user"},
           {"max-unauthenticated", "N",
            "remote connections in their TLS handshake or hello at once (default: a quarter of "
            "--max-clients)"},
           {"listen", "HOST:PORT",
            "replication: address to listen on (default 127.0.0.1:7650; port 0 picks "
            "one)"},
           KeyOption(),
           {"tls-cert", "FILE",
            "this host's certificate chain (PEM): TLS for --service-listen, and for replication"},
           {"tls-key", "FILE", "the certificate's private key (PEM), readable by the service only"},
           {"max-connections", "N", "replication peers served at once (default 64)"}},
      .examples =
          {"starlog serve /data/repo --socket-mode 0660",
           "starlog serve /data/repo --listen 0.0.0.0:7650 --key /etc/starlog/key",
           "starlog serve /data/repo --no-service --listen 0.0.0.0:7650 --key /etc/starlog/key",
           "starlog serve repo --listen 127.0.0.1:0 --key key --tls-cert cert.pem "
           "--tls-key key.pem",
           "starlog serve /data/repo --service-listen 0.0.0.0:7651 --tls-cert "
           "/etc/starlog/cert.pem "
           "--tls-key /etc/starlog/key.pem --client-ca /etc/starlog/users-ca.pem"},
      .run = Run,
  };
}

}  // namespace starlog::cli
