#include "starlog/replication/server.h"

#include <list>
#include <mutex>
#include <thread>

#include "replication/primary_session.h"
#include "starlog/engine/event_store.h"

namespace starlog::replication {

namespace {

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, std::unique_ptr<engine::EventStore> store,
             std::unique_ptr<Listener> listener)
      : options_(std::move(options)), store_(std::move(store)), listener_(std::move(listener)) {}

  ~ServerImpl() override {
    Stop();
    JoinAll();
  }

  std::string address() const override { return listener_->address(); }
  const codec::Uuid& repository_id() const override { return store_->repository_id(); }
  int sessions() const override { return active_.load(); }

  void Stop() override { stopping_.store(true); }

  void Run() override {
    while (!stopping_.load()) {
      auto channel = listener_->Accept(std::chrono::milliseconds(200));
      ReapFinished();
      if (!channel.ok()) {
        if (!channel.status().IsTimedOut()) Log("accept: " + channel.status().ToString());
        continue;
      }
      std::lock_guard<std::mutex> lock(threads_mu_);
      if (threads_.size() >= static_cast<size_t>(options_.max_connections)) {
        // Closed before a byte is read: no thread, no buffer for it.
        Log((*channel)->peer() + ": refused: already " + std::to_string(threads_.size()) +
            " connections (at most " + std::to_string(options_.max_connections) + ")");
        continue;
      }
      auto& slot = threads_.emplace_back();
      slot.thread = std::thread([this, &slot, c = std::move(*channel)]() mutable {
        ++active_;
        PrimarySession session(
            *store_, options_, std::move(c), [this](const std::string& line) { Log(line); },
            stopping_);
        (void)session.Run();
        --active_;
        slot.done.store(true);
      });
    }
    JoinAll();
  }

 private:
  struct Slot {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void Log(const std::string& line) {
    if (!options_.log) return;
    std::lock_guard<std::mutex> lock(log_mu_);
    options_.log(line);
  }

  void ReapFinished() {
    std::lock_guard<std::mutex> lock(threads_mu_);
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->done.load()) {
        it->thread.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void JoinAll() {
    std::lock_guard<std::mutex> lock(threads_mu_);
    for (Slot& slot : threads_) {
      if (slot.thread.joinable()) slot.thread.join();
    }
    threads_.clear();
  }

  const ServerOptions options_;
  std::unique_ptr<engine::EventStore> store_;
  std::unique_ptr<Listener> listener_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  std::mutex log_mu_;
  std::mutex threads_mu_;
  std::list<Slot> threads_;  // A list: a running thread's slot never moves.
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  if (options.key.size() < 16) {
    return Status::InvalidArgument("the shared key must be at least 16 bytes");
  }
  if (options.max_connections < 1) {
    return Status::InvalidArgument("at least one connection must be allowed");
  }
  engine::StoreOptions store_options;
  store_options.follow = true;
  STARLOG_ASSIGN_OR_RETURN(auto store, engine::EventStore::Open(options.root, store_options));
  STARLOG_ASSIGN_OR_RETURN(auto listener, Listener::Bind(options.listen, options.tls));
  return std::unique_ptr<Server>(
      new ServerImpl(std::move(options), std::move(store), std::move(listener)));
}

}  // namespace starlog::replication
