#include <chrono>
#include <thread>

#include "cli/commands.h"
#include "cli/peer_options.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/replication/server.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  replication::ServerOptions options;
  options.root = args.positional(0);
  options.listen = args.GetOr("listen", "127.0.0.1:7650");
  STARLOG_ASSIGN_OR_RETURN(options.key, SharedKey(args));
  options.tls = Tls(args);
  STARLOG_ASSIGN_OR_RETURN(auto max_connections, args.GetUint("max-connections"));
  if (max_connections) {
    if (*max_connections < 1 || *max_connections > 10'000) {
      return UsageError("--max-connections takes 1 to 10000");
    }
    options.max_connections = static_cast<int>(*max_connections);
  }
  options.log = [&io](const std::string& line) {
    // Lines quote what peers sent (roles, paths, errors): printed escaped.
    io.err << codec::FormatIsoTime(codec::NowUtcNs(), 3) << " " << codec::Printable(line)
           << std::endl;
  };
  STARLOG_ASSIGN_OR_RETURN(auto server, replication::Server::Start(options));
  const std::atomic<bool>& stop = StopOnSignal();
  // Tests and scripts read this line to learn the port chosen for ":0".
  io.out << "serving " << options.root << " (repository " << server->repository_id().ToString()
         << ") on " << server->address() << (options.tls.cert_file.empty() ? "" : " over TLS")
         << std::endl;
  std::thread watcher([&] {
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server->Stop();
  });
  server->Run();
  watcher.join();
  io.err << "stopped serving " << options.root << std::endl;
  return Status::OK();
}

}  // namespace

CommandSpec ServeCommand() {
  return {
      .name = "serve",
      .summary = "serve a repository's log and files to replicas over TCP",
      .description =
          "The primary's side of replication. Replicas (`starlog replicate`) connect,\n"
          "prove they hold the shared key, and receive every event from where their log\n"
          "ends, then new events as they are written, and the files of datasets on\n"
          "request. Any number at once, each paced by its own acks: a slow replica\n"
          "holds up no writer and no other replica. The server never takes the write\n"
          "lock, so other `starlog` commands keep writing while it serves.\n"
          "At most --max-connections peers at once (more are closed at once); a peer\n"
          "must finish the handshake within 10 s, and may send no more than a hello\n"
          "before it has proven the key. Every message after the handshake carries a\n"
          "MAC under a per-connection key, with or without TLS.\n"
          "Prints the address it listens on, then a line per connection on stderr.\n"
          "Ends on SIGINT or SIGTERM.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"listen", "HOST:PORT",
                   "address to listen on (default 127.0.0.1:7650; port 0 picks one)"},
                  KeyOption(),
                  {"tls-cert", "FILE", "serve over TLS with this certificate chain (PEM)"},
                  {"tls-key", "FILE", "the certificate's private key (PEM)"},
                  {"max-connections", "N", "peers served at once (default 64)"}},
      .examples = {"starlog serve /data/repo --listen 0.0.0.0:7650 --key /etc/starlog/key",
                   "starlog serve repo --listen 127.0.0.1:0 --key key --tls-cert cert.pem "
                   "--tls-key key.pem"},
      .run = Run,
  };
}

}  // namespace starlog::cli
