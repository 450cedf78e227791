#include "starlog/service/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "service/hang_up.h"
#include "service/message_stream.h"
#include "service/peer_identity.h"
#include "service/requests.h"
#include "service/unix_listener.h"
#include "starlog/engine/edits.h"
#include "starlog/mutex.h"

namespace starlog::service {

namespace {

using Clock = std::chrono::steady_clock;

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
             std::unique_ptr<UnixListener> listener)
      : options_(std::move(options)),
        store_(std::move(store)),
        listener_(std::move(listener)),
        requests_(*store_) {}

  ~ServerImpl() override {
    Stop();
    WaitForSessions();
  }

  const std::string& socket_path() const override { return options_.socket_path; }
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
    while (!stopping_.load()) {
      auto fd = listener_->Accept(std::chrono::milliseconds(200));
      if (!fd.ok()) {
        if (!fd.status().IsTimedOut()) Log("accept: " + fd.status().ToString());
        continue;
      }
      Admit(*fd);
    }
    listener_.reset();  // Closes the socket and removes its file.
    WaitForSessions();
  }

 private:
  void Log(const std::string& line) EXCLUDES(log_mu_) {
    if (!options_.log) return;
    MutexLock lock(&log_mu_);
    options_.log(line);
  }

  // Starts a session for "fd", or refuses it when the server is full.
  void Admit(int fd) EXCLUDES(mu_) {
    std::optional<Status> refusal;
    // The kernel's record of who connected: one user's connections are
    // bounded too, before anything of theirs is read.
    const auto uid = PeerUid(fd);
    {
      MutexLock lock(&mu_);
      if (stopping_.load()) {
        refusal = Status::Unavailable("the service is stopping");
      } else if (!uid.ok()) {
        refusal = uid.status();
      } else if (sessions_.size() >= static_cast<size_t>(options_.max_connections)) {
        refusal = Status::Unavailable("the service is serving " + std::to_string(sessions_.size()) +
                                      " connections, its limit (--max-clients); try again later");
      } else if (per_user_[*uid] >= PerUserLimit()) {
        refusal = Status::Unavailable("uid " + std::to_string(*uid) + " holds " +
                                      std::to_string(per_user_[*uid]) +
                                      " connections, the limit for one user "
                                      "(--max-clients-per-user); try again later");
      } else {
        // Counted before its thread starts: Stop and WaitForSessions see it.
        sessions_[fd] = *uid;
        ++per_user_[*uid];
      }
    }
    if (refusal) {
      Log("refused a connection: " + std::string(refusal->message()));
      auto stream = MessageStream::Adopt(fd);
      static_cast<void>(stream->Send(StatusReply{*refusal}, Clock::now() + kRefusalTimeout));
      return;  // Best effort: the refusal is a courtesy, closing is the point.
    }
    try {
      std::thread([this, fd] {
        Serve(fd);
        End(fd);
      }).detach();
    } catch (const std::system_error& e) {
      Log(std::string("cannot start a thread for a connection: ") + e.what());
      End(fd);
    }
  }

  // Under the lock: Stop never shuts down a descriptor number reused by
  // something else, and the destructor (waiting for the set to empty) cannot
  // destroy "ended_" while it is being notified. The session's thread touches
  // nothing of the server after this.
  void End(int fd) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (auto it = sessions_.find(fd); it != sessions_.end()) {
      if (--per_user_[it->second] == 0) per_user_.erase(it->second);
      sessions_.erase(it);
    }
    ::close(fd);
    ended_.SignalAll();
  }

  int PerUserLimit() const {
    if (options_.max_connections_per_user > 0) return options_.max_connections_per_user;
    // Keep a quarter of the connections, at most 16, for other users.
    return options_.max_connections - std::min(16, options_.max_connections / 4);
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

  // One connection, from hello to close. The stream does not own "fd": End
  // closes it.
  void Serve(int fd) {
    const int own = ::dup(fd);
    if (own < 0) {
      Log(std::string("cannot serve a connection: dup: ") + std::strerror(errno));
      return;
    }
    auto stream = MessageStream::Adopt(own);
    const auto hello_deadline = Clock::now() + options_.hello_timeout;
    auto peer = IdentifyPeer(fd);
    if (!peer.ok()) return Refuse(*stream, "a client", peer.status());
    const std::string who = peer->user + " (uid " + std::to_string(peer->uid) + ", pid " +
                            std::to_string(peer->pid) + ")";

    auto hello = stream->Receive(kMaxHelloSize, hello_deadline);
    if (!hello.ok()) {
      if (hello.status().IsCorruption()) return Refuse(*stream, who, hello.status());
      Log(who + ": no hello: " + hello.status().ToString());
      return;
    }
    const auto* h = std::get_if<Hello>(&*hello);
    if (h == nullptr) {
      return Refuse(*stream, who,
                    Status::InvalidArgument("a client begins with hello, not message type " +
                                            std::to_string(static_cast<int>(TypeOf(*hello)))));
    }
    if (h->version != kServiceProtocolVersion) {
      return Refuse(
          *stream, who,
          Status::NotSupported("this service speaks protocol version " +
                               std::to_string(kServiceProtocolVersion) +
                               "; the client speaks version " + std::to_string(h->version)));
    }
    Hello answer;
    answer.repository_id = store_->repository_id();
    answer.user = peer->user;
    if (!stream->Send(answer, Clock::now() + options_.io_timeout).ok()) return;
    Log(who + ": connected");

    while (true) {
      auto request = stream->Receive(kMaxRequestSize, Clock::now() + options_.idle_timeout);
      if (!request.ok()) {
        if (request.status().IsCorruption()) return Refuse(*stream, who, request.status());
        if (request.status().IsTimedOut()) Log(who + ": closed after the idle timeout");
        return;  // The client closed, or the server is stopping.
      }
      auto reply = Handle(*request, peer->user, fd);
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
  Result<Message> Handle(const Message& request, const std::string& user, int fd) {
    return requests_.Handle(request, user, [fd] { return PeerHungUp(fd); });
  }

  const ServerOptions options_;
  std::unique_ptr<engine::EventStore> store_;
  std::unique_ptr<UnixListener> listener_;
  Requests requests_;
  std::atomic<bool> stopping_{false};
  Mutex log_mu_;  // Serializes the calls of options_.log.
  mutable Mutex mu_;
  CondVar ended_;  // Signalled as each session ends.
  // The sockets of running sessions, with the uid of each; and how many each
  // uid holds.
  std::map<int, uid_t> sessions_ GUARDED_BY(mu_);
  std::map<uid_t, int> per_user_ GUARDED_BY(mu_);
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
  STARLOG_ASSIGN_OR_RETURN(auto store, engine::EventStore::Open(options.root, options.store));
  STARLOG_ASSIGN_OR_RETURN(auto listener,
                           UnixListener::Bind(options.socket_path, options.socket_mode));
  return std::unique_ptr<Server>(
      new ServerImpl(std::move(options), std::move(store), std::move(listener)));
}

}  // namespace starlog::service
