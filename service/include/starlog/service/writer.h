#pragma once

// Writer: where one process's edits to a repository go. When a service runs
// for the repository (server.h; its socket answers, or the caller names
// one), every edit is sent to it and recorded as the OS user the service
// reads from the socket; otherwise this process opens the repository for
// writing itself, waiting for another writer's lock, and records the user it
// declares. Either way an edit is engine::ApplyEdit's: all of it or none,
// with the engine's status when refused.
//
// The CLI's write commands and the Python module both write through this,
// so that "which writer" is decided in one place.
//
// Thread safety: safe for concurrent use; edits through the service are
// sent one at a time, local edits share the store's group commit.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/mutex.h"
#include "starlog/result.h"
#include "starlog/service/client.h"
#include "starlog/thread_annotations.h"

namespace starlog::service {

struct WriterOptions {
  // The service to write through, as ParseServiceAddress takes it (a socket,
  // or HOST:PORT with "remote"); it must answer. Empty: the repository's own
  // socket (DefaultSocketPath) if a service answers there, else a local
  // writer. Default: empty.
  std::string service_socket;
  // How to reach a service on TCP and prove who this user is (its address
  // comes from service_socket).
  RemoteOptions remote;
  // Who the caller says it is. A local writer records it (default:
  // DefaultActor()). Through the service the OS user is recorded, and a
  // declared user other than that one is PermissionDenied: nobody acts as
  // another by saying so. Default: none.
  std::optional<std::string> user;
  // How the caller's users declare a user, for that refusal's message
  // ("--user", "user="). Default: "--user".
  std::string user_option = "--user";
  // Make every edit for this other user (engine/policy.h: act-for): the
  // event's actor is "act_for" and its via the writer's user, and the policy
  // must give that user the act-for role. Empty: for the writer's user.
  std::string act_for;
  // Local writer only: fsync each edit (StoreOptions::sync). Default: true.
  bool sync = true;
  // Local writer only: how long to wait for another writer's lock
  // (StoreOptions::lock_timeout). Default: 60 s.
  std::chrono::milliseconds lock_timeout{60'000};
  // Local writer only: called once after a second of waiting for the lock.
  std::function<void()> on_lock_wait;
};

class Writer {
 public:
  // Opens the writer for the repository at "root": a client of its service
  // (Client::Connect's errors if it is named and does not answer, or answers
  // and refuses), else the repository opened for writing (EventStore::Open's
  // errors: NotFound, Unavailable after the lock timeout, ...).
  static Result<std::unique_ptr<Writer>> Open(const std::string& root,
                                              const WriterOptions& options);
  // A writer through "client", already connected (the refusal of a declared
  // user, act_for and the ignored $STARLOG_USER as Open's).
  static Result<std::unique_ptr<Writer>> Through(std::unique_ptr<Client> client,
                                                 const WriterOptions& options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Applies "edit"; returns once it is durable. Through the service, an
  // IOError or TimedOut means the answer was lost (Client::Submit): the edit
  // may have been applied whole or not at all.
  Result<engine::EditResult> Apply(const engine::Edit& edit) EXCLUDES(mu_);

  // Through the service: places files and registers them (Client::Place),
  // made for act_for as every edit is. A local writer places files itself
  // (the ingest library, on store()): NotSupported here.
  Result<PlaceReply> Place(PlaceRequest request, const std::vector<std::string>& sources,
                           const engine::ProgressFn& progress = nullptr) EXCLUDES(mu_);

  bool through_service() const { return !socket_path_.empty(); }
  // The user edits are recorded as.
  const std::string& user() const { return user_; }
  // Through the service: its socket; empty for a local writer.
  const std::string& socket_path() const { return socket_path_; }
  // The local writer's store (its views see each edit once Apply returns);
  // null through the service, where the caller reads beside it.
  const std::shared_ptr<engine::EventStore>& store() const { return store_; }
  // Whether $STARLOG_USER names another user than the one the service
  // records, and was therefore ignored (the CLI warns about it).
  bool ignored_environment_user() const { return ignored_environment_user_; }

 private:
  Writer() = default;

  Mutex mu_;
  std::unique_ptr<Client> client_ GUARDED_BY(mu_);  // Null for a local writer.
  std::shared_ptr<engine::EventStore> store_;
  std::string user_;
  std::string act_for_;
  std::string socket_path_;
  bool ignored_environment_user_ = false;
};

// $STARLOG_USER if set, else the login name of this process's effective uid,
// else $USER, else "unknown": whom a local writer records by default.
std::string DefaultActor();

// $STARLOG_SERVICE, the service the user asked for by environment; empty if
// unset.
std::string ServiceFromEnvironment();

}  // namespace starlog::service
