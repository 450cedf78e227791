#include "starlog/service/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "net/tls_context.h"
#include "service/hang_up.h"
#include "service/message_stream.h"
#include "service/peer_identity.h"
#include "service/remote_identity.h"
#include "service/requests.h"
#include "service/tcp_listener.h"
#include "service/unix_listener.h"
#include "starlog/engine/edits.h"
#include "starlog/mutex.h"

namespace starlog::service {

namespace {

using Clock = std::chrono::steady_clock;

RequestOptions RequestOptionsFor(const ServerOptions& options) {
  RequestOptions out;
  out.max_place_bytes = options.max_place_bytes;
  return out;
}

// A refusal sent to a connection that is about to be closed: at most this
// long, so that a peer that reads nothing costs the server nothing.
constexpr std::chrono::milliseconds kRefusalTimeout{200};

// One thread per connection, at most max_connections of them. An edit blocks
// its caller until it is durable, and the store shares one fsync among all
// the edits waiting at that moment: the number of edits a commit can carry is
// the number of threads blocked in ApplyEdit. An Asio pool would need as many
// threads as connections to let them all wait at once, and with them the
// same memory, plus a second scheduler; a thread per connection is the
// simplest design with the same bound.
class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, std::unique_ptr<engine::EventStore> store,
             std::unique_ptr<UnixListener> listener, std::unique_ptr<TcpListener> tcp,
             std::shared_ptr<net::TlsContext> tls)
      : options_(std::move(options)),
        store_(std::move(store)),
        listener_(std::move(listener)),
        tcp_(std::move(tcp)),
        tls_(std::move(tls)),
        tcp_address_(tcp_ != nullptr ? tcp_->address() : ""),
        requests_(*store_, RequestOptionsFor(options_)) {}

  ~ServerImpl() override {
    Stop();
    WaitForSessions();
  }

  const std::string& socket_path() const override { return options_.socket_path; }
  const std::string& tcp_address() const override { return tcp_address_; }
  const codec::Uuid& repository_id() const override { return store_->repository_id(); }
  int sessions() const override {
    MutexLock lock(&mu_);
    return static_cast<int>(sessions_.size());
  }

  void Stop() override {
    stopping_.store(true);
    // A session waiting for a request reads end-of-file and ends; one applying
    // an edit finishes it and still sends its reply.
    MutexLock lock(&mu_);
    for (const auto& session : sessions_) ::shutdown(session.first, SHUT_RD);
  }

  void Run() override {
    std::thread remote;
    if (tcp_ != nullptr) {
      remote = std::thread(
          [this] { AcceptUntilStopped(*tcp_, [this](const AcceptedTcp& a) { AdmitRemote(a); }); });
    }
    AcceptUntilStopped(*listener_, [this](int fd) { Admit(fd); });
    if (remote.joinable()) remote.join();
    listener_.reset();  // Closes the socket and removes its file.
    tcp_.reset();
    WaitForSessions();
  }

 private:
  // What the server knows of a connection it serves.
  struct Session {
    // Whose connection counts against max_connections_per_user: "uid N" on
    // the Unix socket, "user NAME" on TCP once authenticated; empty before.
    std::string key;
    std::string address;           // TCP: the peer's IP address.
    bool unauthenticated = false;  // TCP before its hello: counted apart.
    uint64_t order = 0;            // Admission order, for evicting the oldest.
  };

  // Hands each connection "listener" accepts to "admit" until Stop(),
  // looking at the flag at least every 200 ms.
  template <typename Listener, typename Admit>
  void AcceptUntilStopped(Listener& listener, Admit admit) {
    while (!stopping_.load()) {
      auto accepted = listener.Accept(std::chrono::milliseconds(200));
      if (!accepted.ok()) {
        if (!accepted.status().IsTimedOut()) Log("accept: " + accepted.status().ToString());
        continue;
      }
      admit(*accepted);
    }
  }

  void Log(const std::string& line) EXCLUDES(log_mu_) {
    if (!options_.log) return;
    MutexLock lock(&log_mu_);
    options_.log(line);
  }

  // Why a connection cannot be admitted now, if it cannot.
  std::optional<Status> Full() const REQUIRES(mu_) {
    if (stopping_.load()) return Status::Unavailable("the service is stopping");
    if (sessions_.size() >= static_cast<size_t>(options_.max_connections)) {
      return Status::Unavailable("the service is serving " + std::to_string(sessions_.size()) +
                                 " connections, its limit (--max-clients); try again later");
    }
    return std::nullopt;
  }

  // Why "key" ("uid N", "user NAME") may not hold one more connection, if
  // it may not.
  std::optional<Status> UserFull(const std::string& key) const REQUIRES(mu_) {
    const auto it = per_user_.find(key);
    if (it == per_user_.end() || it->second < PerUserLimit()) return std::nullopt;
    return Status::Unavailable(key + " holds " + std::to_string(it->second) +
                               " connections, the limit for one user "
                               "(--max-clients-per-user); try again later");
  }

  // Starts a session for "fd" from the Unix socket, or refuses it when the
  // server is full.
  void Admit(int fd) EXCLUDES(mu_) {
    std::optional<Status> refusal;
    // The kernel's record of who connected: one user's connections are
    // bounded too, before anything of theirs is read.
    const auto uid = PeerUid(fd);
    {
      MutexLock lock(&mu_);
      const std::string key = uid.ok() ? "uid " + std::to_string(*uid) : "";
      refusal = Full();
      if (!refusal && !uid.ok()) refusal = uid.status();
      if (!refusal) refusal = UserFull(key);
      if (!refusal) {
        // Counted before its thread starts: Stop and WaitForSessions see it.
        sessions_[fd] = Session{key, "", false, next_order_++};
        ++per_user_[key];
      }
    }
    if (refusal) {
      Log("refused a connection: " + std::string(refusal->message()));
      auto stream = MessageStream::Adopt(fd);
      static_cast<void>(stream->Send(StatusReply{*refusal}, Clock::now() + kRefusalTimeout));
      return;  // Best effort: the refusal is a courtesy, closing is the point.
    }
    StartSession(fd, false);
  }

  // Starts a session for a TCP connection, or closes it when the server is
  // full. Nothing is said to a refused peer: it has not done TLS yet, and
  // a reply in clear would cost more than it tells.
  void AdmitRemote(const AcceptedTcp& accepted) EXCLUDES(mu_) {
    std::optional<Status> refusal;
    {
      MutexLock lock(&mu_);
      refusal = Full();
      if (!refusal) {
        const int per_address = unauthenticated_per_address_[accepted.address];
        if (per_address >= options_.max_unauthenticated_per_address) {
          EvictOldestUnauthenticated(&accepted.address);
        } else if (unauthenticated_ >= UnauthenticatedLimit()) {
          EvictOldestUnauthenticated(nullptr);
        }
        sessions_[accepted.fd] = Session{"", accepted.address, true, next_order_++};
        ++unauthenticated_;
        ++unauthenticated_per_address_[accepted.address];
      }
    }
    if (refusal) {
      Log("refused a connection from " + accepted.address + ": " + std::string(refusal->message()));
      ::close(accepted.fd);
      return;
    }
    StartSession(accepted.fd, true);
  }

  void StartSession(int fd, bool remote) {
    try {
      std::thread([this, fd, remote] {
        Serve(fd, remote);
        End(fd);
      }).detach();
    } catch (const std::system_error& e) {
      Log(std::string("cannot start a thread for a connection: ") + e.what());
      End(fd);
    }
  }

  // No longer counts "session" as unauthenticated.
  void Uncount(Session& session) REQUIRES(mu_) {
    if (!session.unauthenticated) return;
    session.unauthenticated = false;
    --unauthenticated_;
    if (--unauthenticated_per_address_[session.address] == 0) {
      unauthenticated_per_address_.erase(session.address);
    }
  }

  // Ends the oldest connection still in its TLS handshake or hello (from
  // "address", if given): its session reads an error and ends.
  void EvictOldestUnauthenticated(const std::string* address) REQUIRES(mu_) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (!it->second.unauthenticated) continue;
      if (address != nullptr && it->second.address != *address) continue;
      if (oldest == sessions_.end() || it->second.order < oldest->second.order) oldest = it;
    }
    if (oldest == sessions_.end()) return;
    Uncount(oldest->second);
    evicted_.insert(oldest->first);
    ::shutdown(oldest->first, SHUT_RDWR);
  }

  // Counts the TCP session "fd" as "user"'s from now on. Unavailable if the
  // user holds its limit already, or the session was evicted meanwhile.
  Status Authenticated(int fd, const std::string& user) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    const auto it = sessions_.find(fd);
    if (it == sessions_.end() || evicted_.count(fd) != 0) {
      return Status::Unavailable("too many connections were waiting to authenticate");
    }
    const std::string key = "user " + user;
    if (auto refusal = UserFull(key)) return *refusal;
    Uncount(it->second);
    it->second.key = key;
    ++per_user_[key];
    return Status::OK();
  }

  // Under the lock: Stop never shuts down a descriptor number reused by
  // something else, and the destructor (waiting for the set to empty) cannot
  // destroy "ended_" while it is being notified. The session's thread touches
  // nothing of the server after this.
  void End(int fd) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (auto it = sessions_.find(fd); it != sessions_.end()) {
      Uncount(it->second);
      if (!it->second.key.empty() && --per_user_[it->second.key] == 0) {
        per_user_.erase(it->second.key);
      }
      sessions_.erase(it);
    }
    evicted_.erase(fd);
    ::close(fd);
    ended_.SignalAll();
  }

  int PerUserLimit() const {
    if (options_.max_connections_per_user > 0) return options_.max_connections_per_user;
    // Keep a quarter of the connections, at most 16, for other users.
    return options_.max_connections - std::min(16, options_.max_connections / 4);
  }

  int UnauthenticatedLimit() const {
    if (options_.max_unauthenticated > 0) return options_.max_unauthenticated;
    return std::max(1, options_.max_connections / 4);
  }

  void WaitForSessions() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!sessions_.empty()) ended_.Wait(&mu_);
  }

  // Sends "refusal" and lets the connection end.
  void Refuse(MessageStream& stream, const std::string& who, const Status& refusal) {
    Log(who + ": refused: " + refusal.ToString());
    static_cast<void>(stream.Send(StatusReply{refusal}, Clock::now() + kRefusalTimeout));
  }

  // The client's hello, by "deadline": nothing larger is read, nothing else
  // accepted. An error, once reported to the client (or not, when it said
  // nothing), ends the connection.
  std::optional<Hello> ReceiveHello(MessageStream& stream, const std::string& who,
                                    Clock::time_point deadline) {
    auto hello = stream.Receive(kMaxHelloSize, deadline);
    if (!hello.ok()) {
      if (hello.status().IsCorruption()) Refuse(stream, who, hello.status());
      if (!hello.status().IsCorruption()) Log(who + ": no hello: " + hello.status().ToString());
      return std::nullopt;
    }
    auto* h = std::get_if<Hello>(&*hello);
    if (h == nullptr) {
      Refuse(stream, who,
             Status::InvalidArgument("a client begins with hello, not message type " +
                                     std::to_string(static_cast<int>(TypeOf(*hello)))));
      return std::nullopt;
    }
    if (h->version != kServiceProtocolVersion) {
      Refuse(stream, who,
             Status::NotSupported("this service speaks protocol version " +
                                  std::to_string(kServiceProtocolVersion) +
                                  "; the client speaks version " + std::to_string(h->version)));
      return std::nullopt;
    }
    return std::move(*h);
  }

  // One connection, from hello to close, on either listener. The stream
  // does not own "fd": End closes it.
  void Serve(int fd, bool remote) {
    const auto hello_deadline = Clock::now() + options_.hello_timeout;
    const int own = ::dup(fd);
    if (own < 0) {
      Log(std::string("cannot serve a connection: dup: ") + std::strerror(errno));
      return;
    }
    std::unique_ptr<MessageStream> stream;
    std::string who;
    std::string user;
    if (remote) {
      const std::string address = [&] {
        MutexLock lock(&mu_);
        return sessions_.at(fd).address;
      }();
      auto tls = MessageStream::AcceptTls(own, tls_, hello_deadline);
      if (!tls.ok()) {
        Log(address + ": " + tls.status().ToString());
        return;
      }
      stream = std::move(*tls);
      auto hello = ReceiveHello(*stream, address, hello_deadline);
      if (!hello) return;
      std::string detail;
      auto identity = IdentifyRemote(options_.root, *hello, *stream, &detail);
      if (!detail.empty()) Log(detail);
      if (!identity.ok()) return Refuse(*stream, address, identity.status());
      user = identity->user;
      who = user + " (" + identity->how + ", " + address + ")";
      if (Status s = Authenticated(fd, user); !s.ok()) return Refuse(*stream, who, s);
    } else {
      stream = MessageStream::Adopt(own);
      auto peer = IdentifyPeer(fd);
      if (!peer.ok()) return Refuse(*stream, "a client", peer.status());
      who = peer->user + " (uid " + std::to_string(peer->uid) + ", pid " +
            std::to_string(peer->pid) + ")";
      if (!ReceiveHello(*stream, who, hello_deadline)) return;
      user = peer->user;
    }
    Hello answer;
    answer.repository_id = store_->repository_id();
    answer.user = user;
    if (!stream->Send(answer, Clock::now() + options_.io_timeout).ok()) return;
    Log(who + ": connected");

    // A place in parts, until its last part: going out of scope with the
    // connection removes what its parts placed.
    StagedPlace staged;
    while (true) {
      auto request = stream->Receive(kMaxRequestSize, Clock::now() + options_.idle_timeout);
      if (!request.ok()) {
        if (request.status().IsCorruption()) return Refuse(*stream, who, request.status());
        if (request.status().IsTimedOut()) Log(who + ": closed after the idle timeout");
        return;  // The client closed, or the server is stopping.
      }
      // Taken at once, so that whatever happens next closes them.
      auto descriptors = stream->TakeDescriptors();
      if (!descriptors.ok()) return Refuse(*stream, who, descriptors.status());
      if (remote && std::holds_alternative<PlaceRequest>(*request)) {
        // Nothing a TCP peer sends can be a descriptor: the files it names
        // would be paths, which the service never opens for a client.
        const Status refusal = Status::NotSupported(
            "files go to the service only on its Unix socket (" + options_.socket_path +
            "), as open descriptors, which TCP cannot carry: run ingest or import on the "
            "service's host, or over a shared file system with --service SOCKET");
        if (!stream->Send(StatusReply{refusal}, Clock::now() + options_.io_timeout).ok()) return;
        continue;
      }
      auto reply = Handle(*request, user, fd, std::move(*descriptors), &staged);
      if (!reply.ok()) return Refuse(*stream, who, reply.status());
      const Status sent = stream->Send(*reply, Clock::now() + options_.io_timeout);
      if (!sent.ok()) {
        // The edit stands: it was applied whole before the reply was lost.
        Log(who + ": reply lost: " + sent.ToString());
        return;
      }
    }
  }

  // The reply to one request (requests.h); an error ends the connection (a
  // message a client does not send). A wait ends when "fd" hangs up, which
  // Stop's shutdown of its reading side makes it do.
  Result<Message> Handle(const Message& request, const std::string& user, int fd,
                         std::vector<UniqueFd> descriptors, StagedPlace* staged) {
    return requests_.Handle(
        request, user, [fd] { return PeerHungUp(fd); }, std::move(descriptors), staged);
  }

  const ServerOptions options_;
  std::unique_ptr<engine::EventStore> store_;
  std::unique_ptr<UnixListener> listener_;
  std::unique_ptr<TcpListener> tcp_;      // Null without remote clients.
  std::shared_ptr<net::TlsContext> tls_;  // Set with "tcp_".
  const std::string tcp_address_;
  Requests requests_;
  std::atomic<bool> stopping_{false};
  Mutex log_mu_;  // Serializes the calls of options_.log.
  mutable Mutex mu_;
  CondVar ended_;  // Signalled as each session ends.
  // The sockets of running sessions; how many connections each user key
  // holds; the TCP connections not yet authenticated, overall and by address.
  std::map<int, Session> sessions_ GUARDED_BY(mu_);
  std::map<std::string, int> per_user_ GUARDED_BY(mu_);
  int unauthenticated_ GUARDED_BY(mu_) = 0;
  std::map<std::string, int> unauthenticated_per_address_ GUARDED_BY(mu_);
  std::set<int> evicted_ GUARDED_BY(mu_);  // Shut down, their threads not yet ended.
  uint64_t next_order_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::string DefaultSocketPath(const std::string& root) { return root + "/.starlog/service.sock"; }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  if (options.max_connections < 1) {
    return Status::InvalidArgument("at least one connection must be allowed");
  }
  if (options.store.read_only || options.store.follow) {
    return Status::InvalidArgument(
        "the service is the repository's writer: it cannot be read-only");
  }
  if (options.socket_path.empty()) options.socket_path = DefaultSocketPath(options.root);
  // Asked first, so that a second service is told who answers rather than
  // that the repository is locked.
  STARLOG_ASSIGN_OR_RETURN(const bool answers, UnixListener::Answers(options.socket_path));
  if (answers) {
    return Status::Unavailable("a service already answers on " + options.socket_path);
  }
  // TLS files are checked before the repository is opened: a typo costs
  // nothing.
  std::shared_ptr<net::TlsContext> tls;
  if (!options.tcp_address.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return Status::InvalidArgument(
          "remote clients are served over TLS only: a certificate and its private key are "
          "needed (tokens must never cross the network in clear)");
    }
    if (options.max_unauthenticated < 0 || options.max_unauthenticated_per_address < 1) {
      return Status::InvalidArgument("at least one unauthenticated connection must be allowed");
    }
    STARLOG_ASSIGN_OR_RETURN(tls, net::ServerContext(options.tls_cert_file, options.tls_key_file,
                                                     options.client_ca_file));
  } else if (!options.client_ca_file.empty()) {
    return Status::InvalidArgument("a client CA is for remote clients: give a TCP address too");
  }
  STARLOG_ASSIGN_OR_RETURN(auto store, engine::EventStore::Open(options.root, options.store));
  // Readers that may not write the repository follow it (ingest and import
  // through the service plan each batch on a follower) only if the lock
  // file followers share exists: the service makes it, readable by all.
  const std::string followers = options.root + "/.starlog/followers.lock";
  if (const int fd = ::open(followers.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644); fd >= 0) {
    ::close(fd);
  }
  STARLOG_ASSIGN_OR_RETURN(auto listener,
                           UnixListener::Bind(options.socket_path, options.socket_mode));
  std::unique_ptr<TcpListener> tcp;
  if (tls != nullptr) {
    STARLOG_ASSIGN_OR_RETURN(tcp, TcpListener::Bind(options.tcp_address));
  }
  return std::unique_ptr<Server>(new ServerImpl(
      std::move(options), std::move(store), std::move(listener), std::move(tcp), std::move(tls)));
}

}  // namespace starlog::service
