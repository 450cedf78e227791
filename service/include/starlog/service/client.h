#pragma once

// A client of the repository's service (server.h): sends edits to the one
// process that writes the repository and returns what the engine returned
// there, the same EditResult or the same Status (code and message) a local
// engine::ApplyEdit would have. The actor recorded is the OS user this
// process runs as, which the service reads from the socket, or, connected
// over TCP, the holder of the token or client certificate it presents:
// nothing here chooses it.
//
// Thread safety: not thread-safe; one request at a time per Client. Open a
// Client per thread for concurrent requests.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/uuid.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/universe.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"
#include "starlog/service/server.h"

namespace starlog::service {

class Client;
class MessageStream;

inline constexpr std::chrono::milliseconds kDefaultClientTimeout{30'000};

// For commands that may run with or without a service: the client when a
// service answers on the repository's default socket, nullptr when there is
// none (no socket file, or a stale one nobody answers on); an error when one
// answers but the connection fails (refused, another version, not allowed).
Result<std::unique_ptr<Client>> ConnectIfServed(
    const std::string& root, std::chrono::milliseconds timeout = kDefaultClientTimeout);

// How a client reaches a service over TCP (server.h: tcp_address), always
// inside TLS, and proves who it is.
struct RemoteOptions {
  std::string address;  // HOST:PORT of the service.
  // The certificates (PEM) the service's must chain to; it must also name
  // HOST. Empty: the system's trusted roots.
  std::string ca_file;
  // A token from `starlog user add` (user_tokens.h: ReadTokenFile), or
  std::string token;
  // a client certificate and its key (PEM), for a service that takes them.
  std::string cert_file;
  std::string key_file;
};

// Where a service is, as users name it (--service, $STARLOG_SERVICE):
// "unix:PATH", or anything with a '/', is its Unix socket; else HOST:PORT,
// TCP with TLS. No string is both.
struct ServiceAddress {
  bool tcp = false;
  std::string socket_path;  // Unix socket.
  std::string address;      // TCP: HOST:PORT.
};
// InvalidArgument for a string that is neither.
Result<ServiceAddress> ParseServiceAddress(const std::string& where);

// Connects to the service "where" names: Client::Connect for a socket, else
// Client::ConnectRemote with "remote" (whose address is set from "where").
Result<std::unique_ptr<Client>> ConnectTo(
    const std::string& where, RemoteOptions remote,
    std::chrono::milliseconds timeout = kDefaultClientTimeout);

class Client {
 public:
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects to the service on "socket_path" and says hello. Unavailable if
  // nothing answers there, or the service refuses more connections;
  // PermissionDenied if the socket's mode keeps this user out or the service
  // cannot name this user; NotSupported for another protocol version;
  // TimedOut after "timeout".
  static Result<std::unique_ptr<Client>> Connect(
      const std::string& socket_path, std::chrono::milliseconds timeout = kDefaultClientTimeout);

  // Connects to the service at "remote.address" over TCP, does TLS
  // (verifying the service's certificate before anything is sent: the token
  // never goes to a service that is not the one named) and says hello with
  // the token. Unavailable if nothing answers or the service is full;
  // PermissionDenied if a certificate fails verification, or the service
  // takes neither the token nor the certificate; InvalidArgument for files
  // that do not load; NotSupported, TimedOut as above.
  static Result<std::unique_ptr<Client>> ConnectRemote(
      const RemoteOptions& remote, std::chrono::milliseconds timeout = kDefaultClientTimeout);

  // Applies "edit" through the service; returns once it is durable. A refused
  // edit changed nothing and comes back with the engine's status. An IOError
  // or TimedOut means the answer was lost: the edit may or may not have been
  // applied (whole, if it was), and this Client is of no further use.
  // With "act_for" naming another user, the edit is made for them, if the
  // repository's policy gives this client's user the act-for role
  // (PermissionDenied otherwise); the event records both.
  Result<engine::EditResult> Submit(const engine::Edit& edit, const std::string& act_for = "");

  // Places files in the repository and registers them, through the service
  // (protocol.h: place), since protocol version 3. "sources"[i] is the file
  // for request.files[i]: this process opens it, read-only, with its own
  // rights, and hands the service the open descriptor, never the path. The
  // service reads, checksums and places the bytes as its own account and
  // appends the events once they are in place; answered once durable, with
  // the files it left out (request.all_or_nothing false) in skipped.
  // NotSupported on TCP, which cannot carry descriptors; a source this
  // process cannot open is its IOError or PermissionDenied, naming it,
  // before anything is sent. More than kMaxDescriptorsPerMessage files go
  // in parts, one request still (all_or_nothing only; InvalidArgument
  // otherwise). A refused request placed nothing and appended nothing.
  // "progress", if given, hears (files sent and placed, files in all) as
  // each part is answered.
  Result<PlaceReply> Place(const PlaceRequest& request, const std::vector<std::string>& sources,
                           const engine::ProgressFn& progress = nullptr);

  // The repository's id and head, as the service sees them now.
  Result<ServiceInfo> Info();

  // The user the service records this client's edits as.
  const std::string& user() const { return user_; }
  const codec::Uuid& repository_id() const { return repository_id_; }
  // The socket connected to, or HOST:PORT.
  // The socket, or for a client on TCP (remote()) the service's HOST:PORT.
  const std::string& socket_path() const { return socket_path_; }
  bool remote() const { return remote_; }

  // --- reads (client_queries.cc), since protocol version 2. Each is answered
  // by the service from one engine::RegistryView as of read.as_of (a point
  // as `--as-of` takes it, resolved by the service; the head when empty),
  // with what the engine's call of the same name returned there: the same
  // values, or the same Status (code and message). Results arrive in pages
  // of about kPageBytes, one at a time; the vector-returning calls gather
  // them, the ...Paged one hands each to the caller and holds no more than
  // one. A where clause goes as its text and binds, parsed by the service.
  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity = std::nullopt,
                                         const ReadOptions& read = {});
  Result<std::vector<engine::DatasetRef>> QueryDatasets(const DatasetsQuery& query,
                                                        const ReadOptions& read = {});
  // Calls "page" with each page in turn; an error from it drops the rest of
  // the result (the service is told) and is returned.
  Status QueryDatasetsPaged(const DatasetsQuery& query,
                            const std::function<Status(std::vector<engine::DatasetRef>)>& page,
                            const ReadOptions& read = {});
  // Several types, an order, a limit (engine::DatasetSearch); since version 5.
  Result<std::vector<engine::DatasetRef>> SearchDatasets(const DatasetSearchQuery& query,
                                                         const ReadOptions& read = {});
  Status SearchDatasetsPaged(const DatasetSearchQuery& query,
                             const std::function<Status(std::vector<engine::DatasetRef>)>& page,
                             const ReadOptions& read = {});
  Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types = {}, const ReadOptions& read = {});
  Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name,
                                                              const ReadOptions& read = {});
  Result<std::vector<std::string>> ResolveSearchPath(const std::vector<std::string>& names,
                                                     const ReadOptions& read = {});
  Result<std::vector<engine::SnapshotInfo>> Snapshots(const ReadOptions& read = {});
  Result<std::vector<std::string>> DatasetTypesIn(const std::vector<std::string>& collections,
                                                  const ReadOptions& read = {});
  Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components = false,
      const ReadOptions& read = {});
  Result<std::vector<codec::FieldMap>> QueryDataIds(
      const std::vector<std::string>& dimensions, const WhereText& where,
      const std::optional<DatasetsQuery>& datasets = std::nullopt, const ReadOptions& read = {});
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(const std::string& element,
                                                             const WhereText& where,
                                                             const ReadOptions& read = {});
  // With an order and a limit (engine::RowOrder); since version 6.
  Result<std::vector<codec::FieldMap>> QueryDataIds(const DataIdsQuery& query,
                                                    const ReadOptions& read = {});
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(const DimensionRecordsQuery& query,
                                                             const ReadOptions& read = {});
  // GetDataset for each of "ids", in one request: nullopt where no dataset
  // has the id.
  Result<std::vector<std::optional<engine::DatasetRef>>> GetDatasets(
      const std::vector<codec::Uuid>& ids, const ReadOptions& read = {});
  // The repository's dimension universe. With read.as_of, also checks that
  // the point resolves (and read.sequence receives it), as a view would.
  Result<engine::Universe> GetUniverse(const ReadOptions& read = {});
  // engine::WaitForDataset in the service, woken by its commits: the dataset
  // once findable, TimedOut after "timeout" (the service cuts it to
  // kMaxWait), Unavailable if the service stops first.
  Result<engine::DatasetRef> WaitForDataset(const std::string& dataset_type,
                                            const codec::FieldMap& data_id,
                                            const std::vector<std::string>& collections,
                                            std::optional<codec::Timespan> validity,
                                            std::chrono::milliseconds timeout);

 private:
  friend Result<std::unique_ptr<Client>> ConnectIfServed(const std::string& root,
                                                         std::chrono::milliseconds timeout);
  // Says hello on "stream", connected to "socket_path", with "token" (only
  // ever on a TLS stream whose service was verified).
  static Result<std::unique_ptr<Client>> Handshake(std::unique_ptr<MessageStream> stream,
                                                   const std::string& socket_path,
                                                   std::chrono::milliseconds timeout,
                                                   std::string token = "");
  Client(std::unique_ptr<MessageStream> stream, std::string socket_path,
         std::chrono::milliseconds timeout);
  // Sends "request" and returns the reply; a status reply as its Status.
  Result<Message> Call(const Message& request);
  // Call with "descriptors" (on a Unix socket), waiting up to "timeout".
  Result<Message> CallWith(const Message& request, const std::vector<int>& descriptors,
                           std::chrono::milliseconds timeout);

  std::unique_ptr<MessageStream> stream_;
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  std::string user_;
  codec::Uuid repository_id_;
  bool remote_ = false;
};

}  // namespace starlog::service
