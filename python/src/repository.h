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
// Connected (Repository.connect), it holds no store at all: edits, views
// (service_view.h), info and waits all go through the repository's
// service, recorded as the user the service authenticated, behind the same
// methods.
//
// Its members are only touched with the GIL held; calls copy the store and
// writer they need before releasing it, so close() in another thread never
// pulls a store from under a running call.

#include <pybind11/pybind11.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/src/service_connection.h"
#include "python/src/view.h"
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
  // The repository's service at "address" (ServiceConnection::Open); a
  // declared "user" other than the one the service records is refused.
  static std::shared_ptr<Repository> Connect(const std::string& address,
                                             const ConnectOptions& options,
                                             const std::optional<std::string>& user);

  // The store reads go to, refreshed first when it follows another writer.
  // Raises ValueError once closed; NotSupportedError when connected.
  std::shared_ptr<engine::EventStore> Store();
  // The service of a connected repository, else nullptr. Raises ValueError
  // once closed.
  std::shared_ptr<ServiceConnection> Service();
  engine::Head Head();
  engine::RepositoryInfo Info();
  // The registry as of "as_of": None, a sequence, a datetime or a str.
  View ViewAt(py::handle as_of);
  // Applies "edit" through the writer (or, read-only, to the store, which
  // refuses it), with the GIL released; raises the engine's refusal.
  engine::EditResult Apply(const engine::Edit& edit);

  void Close();
  bool closed() const { return store_ == nullptr && service_ == nullptr; }
  const std::string& root() const { return root_; }
  // Where it was opened: its root, or the address it was connected to.
  const std::string& address() const { return address_; }
  bool connected() const { return connected_; }
  bool read_only() const { return writer_ == nullptr && !connected_; }
  bool follow() const { return follow_; }
  const std::shared_ptr<service::Writer>& writer() const { return writer_; }
  const std::string& connected_user() const { return user_; }

 private:
  std::string root_;
  std::string address_;
  bool follow_ = false;
  bool connected_ = false;
  std::string user_;  // Connected: who the service records edits as.
  std::shared_ptr<ServiceConnection> service_;
  std::shared_ptr<engine::EventStore> store_;
  std::shared_ptr<service::Writer> writer_;
  // The views taken of the store, closed with it: a view alive in Python
  // (kept by a traceback, say) must not keep the repository, and its
  // writer's lock, open after close().
  std::vector<std::weak_ptr<ViewSource>> views_;
};

}  // namespace starlog::python
