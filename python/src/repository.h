#pragma once

// The Python Repository: a repository opened in this process, and the
// writer its edits go through (service::Writer: the repository's service
// when one runs, else this process holding the write lock).
//
// Opened for writing without a service, a Repository holds the write lock
// until close() (and until the last View of it is gone, since views read
// the same store); beside a service it holds no lock: edits go to the
// service, reads to a follower of the log, refreshed before each view.
//
// Repository.connect (a service on another machine) slots in beside Open:
// its writer is a service::Writer on that service, and its views read
// through the service once the protocol carries queries and waits, behind
// the same View methods.
//
// Its members are only touched with the GIL held; calls copy the store and
// writer they need before releasing it, so close() in another thread never
// pulls a store from under a running call.

#include <pybind11/pybind11.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/service/writer.h"

namespace starlog::python {

namespace py = pybind11;

struct OpenOptions {
  bool read_only = false;
  bool follow = false;
  std::string service;              // Empty: $STARLOG_SERVICE, else the repository's own.
  std::optional<std::string> user;  // Local writes only; refused if it differs from the service's.
  std::chrono::milliseconds lock_timeout{60'000};
  bool sync = true;
};

class Repository {
 public:
  static std::shared_ptr<Repository> Open(const std::string& root, const OpenOptions& options);

  // The store reads go to, refreshed first when it follows another writer.
  // Raises ValueError once closed.
  std::shared_ptr<engine::EventStore> Store();
  // Applies "edit" through the writer (or, read-only, to the store, which
  // refuses it), with the GIL released; raises the engine's refusal.
  engine::EditResult Apply(const engine::Edit& edit);

  void Close();
  bool closed() const { return store_ == nullptr; }
  const std::string& root() const { return root_; }
  bool read_only() const { return writer_ == nullptr; }
  bool follow() const { return follow_; }
  const std::shared_ptr<service::Writer>& writer() const { return writer_; }

 private:
  std::string root_;
  bool follow_ = false;
  std::shared_ptr<engine::EventStore> store_;
  std::shared_ptr<service::Writer> writer_;
};

}  // namespace starlog::python
