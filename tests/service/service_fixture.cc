#include "tests/service/service_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <stdexcept>

#include "starlog/codec/event_codec.h"

namespace starlog::testutil {

ServedRepository::ServedRepository(const std::vector<std::string>& serve_args,
                                   std::optional<codec::SetPolicy> policy)
    : root_(dir_.Sub("repo")) {
  engine::CreateOptions options;
  options.actor = "admin";
  options.policy = std::move(policy);
  options.store.sync = false;
  REQUIRE(engine::EventStore::Create(root_, options).ok());  // Closed again: serve writes it.
  Start(serve_args);
}

ServedRepository::~ServedRepository() {
  if (child_ != nullptr) Kill(SIGTERM);
}

void ServedRepository::Start(const std::vector<std::string>& serve_args) {
  std::vector<std::string> argv = {STARLOG_BINARY, "serve", root_};
  argv.insert(argv.end(), serve_args.begin(), serve_args.end());
  child_ = std::make_unique<ChildProcess>(argv);
  auto line = child_->ReadLine(std::chrono::seconds(20));
  REQUIRE(line.has_value());
  REQUIRE(line->rfind("serving ", 0) == 0);
  line_ = *line;
  const size_t on = line_.find(") on ");
  REQUIRE(on != std::string::npos);
  socket_ = line_.substr(on + 5);
  socket_ = socket_.substr(0, socket_.find(" and "));
  const std::string remote = " and remote clients on ";
  if (const size_t at = line_.find(remote); at != std::string::npos) {
    remote_address_ = line_.substr(at + remote.size());
    remote_address_ = remote_address_.substr(0, remote_address_.find(" over TLS"));
  }
}

void ServedRepository::Kill(int signal) {
  // serve catches SIGTERM before it prints its line: no wait needed here.
  child_->Kill(signal);
  child_->Wait();
  child_.reset();
}

std::unique_ptr<engine::EventStore> ServedRepository::OpenReadOnly() const {
  engine::StoreOptions options;
  options.read_only = true;
  auto store = engine::EventStore::Open(root_, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

codec::Event ServedRepository::EventAt(uint64_t sequence) const {
  auto store = OpenReadOnly();
  auto records = store->ReadLog(sequence, 1);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  auto event = codec::DecodeEventFrame(records->front().frame);
  REQUIRE(event.ok());
  return *event;
}

pid_t Fork(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) ::_exit(body());
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace starlog::testutil
