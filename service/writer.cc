#include "starlog/service/writer.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "starlog/codec/text.h"
#include "starlog/service/client.h"

namespace starlog::service {

std::string DefaultActor() {
  if (const char* env = std::getenv("STARLOG_USER"); env != nullptr && *env != '\0') return env;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* env = std::getenv("USER"); env != nullptr) return env;
  return "unknown";
}

std::string ServiceFromEnvironment() {
  const char* named = std::getenv("STARLOG_SERVICE");
  return named != nullptr ? named : "";
}

Result<std::unique_ptr<Writer>> Writer::Open(const std::string& root,
                                             const WriterOptions& options) {
  std::unique_ptr<Client> client;
  if (!options.service_socket.empty()) {
    STARLOG_ASSIGN_OR_RETURN(client, ConnectTo(options.service_socket, options.remote));
  } else {
    STARLOG_ASSIGN_OR_RETURN(client, ConnectIfServed(root));
  }
  if (client != nullptr) return Through(std::move(client), options);
  std::unique_ptr<Writer> writer(new Writer());
  writer->act_for_ = options.act_for;
  engine::StoreOptions store_options;
  store_options.sync = options.sync;
  store_options.lock_timeout = options.lock_timeout;
  store_options.on_lock_wait = options.on_lock_wait;
  STARLOG_ASSIGN_OR_RETURN(writer->store_, engine::EventStore::Open(root, store_options));
  writer->user_ = options.user.value_or(DefaultActor());
  return writer;
}

Result<std::unique_ptr<Writer>> Writer::Through(std::unique_ptr<Client> client,
                                                const WriterOptions& options) {
  // The service names the user from the socket, the token or the
  // certificate; a name this process declares is refused, never passed on.
  if (options.user && *options.user != client->user()) {
    return Status::PermissionDenied(
        "the repository's service records you as " + codec::Quoted(client->user()) +
        (client->remote() ? " (your token or certificate)" : " (your OS user)") + "; " +
        options.user_option + " cannot name another");
  }
  std::unique_ptr<Writer> writer(new Writer());
  const char* env = std::getenv("STARLOG_USER");
  writer->ignored_environment_user_ = env != nullptr && *env != '\0' && env != client->user();
  writer->user_ = client->user();
  writer->act_for_ = options.act_for;
  writer->socket_path_ = client->socket_path();
  MutexLock lock(&writer->mu_);
  writer->client_ = std::move(client);
  return writer;
}

Writer::~Writer() = default;

Result<engine::EditResult> Writer::Apply(const engine::Edit& edit) {
  if (store_ != nullptr) {
    return engine::ApplyEdit(
        *store_, edit, act_for_.empty() ? engine::Actor(user_) : engine::Actor(act_for_, user_));
  }
  MutexLock lock(&mu_);
  return client_->Submit(edit, act_for_);
}

Result<PlaceReply> Writer::Place(PlaceRequest request, const std::vector<std::string>& sources,
                                 const engine::ProgressFn& progress) {
  if (store_ != nullptr) {
    return Status::NotSupported("a local writer places files itself, not through the service");
  }
  request.act_for = act_for_;
  MutexLock lock(&mu_);
  return client_->Place(request, sources, progress);
}

}  // namespace starlog::service
