#pragma once

// The service as an operator runs it: a repository, `starlog serve` in its own
// process on the repository's socket, and clients in this process or in
// forked children (other users, when the tests run as root).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/event_store.h"
#include "tests/testutil/child_process.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::testutil {

// A repository, with no access policy (every user may write everything)
// unless one is given, and `starlog serve` on it.
class ServedRepository {
 public:
  // Creates the repository and starts serving it with "serve_args" added.
  explicit ServedRepository(const std::vector<std::string>& serve_args = {},
                            std::optional<codec::SetPolicy> policy = std::nullopt);
  ~ServedRepository();  // SIGTERM, then waits.

  // Starts `starlog serve` (again, after Kill) and waits for its line.
  void Start(const std::vector<std::string>& serve_args = {});
  // Kills the server with "signal" and reaps it.
  void Kill(int signal);

  const std::string& root() const { return root_; }
  const std::string& socket() const { return socket_; }
  // HOST:PORT of the TCP listener (serve --service-listen), if any.
  const std::string& remote_address() const { return remote_address_; }
  // The "serving ..." line.
  const std::string& line() const { return line_; }
  ChildProcess& child() { return *child_; }

  // Opens the repository read-only (beside the running service).
  std::unique_ptr<engine::EventStore> OpenReadOnly() const;
  // The event at "sequence", decoded.
  codec::Event EventAt(uint64_t sequence) const;

 private:
  TempDir dir_;
  std::string root_;
  std::string socket_;
  std::string remote_address_;
  std::string line_;
  std::unique_ptr<ChildProcess> child_;
};

// Runs "body" in a forked child and returns the child's pid; the child exits
// with body's return value (no destructors, no Catch2 in there).
pid_t Fork(const std::function<int()>& body);
// Waits for "pid"; its exit code, or 128 + the signal that killed it.
int WaitExit(pid_t pid);

}  // namespace starlog::testutil
