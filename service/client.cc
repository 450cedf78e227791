#include "starlog/service/client.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "net/tls_context.h"
#include "service/errno_status.h"
#include "service/message_stream.h"
#include "service/unique_fd.h"

namespace starlog::service {

namespace {

using Clock = std::chrono::steady_clock;

// Largest reply accepted: replies are built by the service from bounded
// requests, but a client trusts their length no more than the service trusts
// a request's.
constexpr size_t kMaxReplySize = kMaxRequestSize;

// How long a client whose request could not be sent looks for the reason.
constexpr std::chrono::milliseconds kRefusalWait{1000};

const char* Name(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return "hello";
    case MessageType::kEdit:
      return "edit";
    case MessageType::kInfo:
      return "info";
    case MessageType::kStatus:
      return "status";
    case MessageType::kEditResult:
      return "edit_result";
    case MessageType::kInfoResult:
      return "info_result";
    case MessageType::kQuery:
      return "query";
    case MessageType::kQueryResult:
      return "query_result";
    case MessageType::kMore:
      return "more";
    case MessageType::kWait:
      return "wait";
    case MessageType::kPlace:
      return "place";
    case MessageType::kPlaceResult:
      return "place_result";
  }
  return "unknown";
}

Status Unexpected(const Message& reply, std::string_view wanted) {
  return Status::Corruption("the service answered " + std::string(Name(TypeOf(reply))) + " where " +
                            std::string(wanted) + " was due");
}

}  // namespace

Client::Client(std::unique_ptr<MessageStream> stream, std::string socket_path,
               std::chrono::milliseconds timeout)
    : stream_(std::move(stream)), socket_path_(std::move(socket_path)), timeout_(timeout) {}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Connect(const std::string& socket_path,
                                                std::chrono::milliseconds timeout) {
  auto stream = MessageStream::Connect(socket_path, Clock::now() + timeout);
  if (!stream.ok() && stream.status().IsNotFound()) {
    return Status::Unavailable(stream.status().message());
  }
  if (!stream.ok()) return stream.status();
  return Handshake(std::move(*stream), socket_path, timeout);
}

Result<std::unique_ptr<Client>> Client::ConnectRemote(const RemoteOptions& remote,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  STARLOG_ASSIGN_OR_RETURN(auto context,
                           net::ClientContext(remote.ca_file, remote.cert_file, remote.key_file));
  STARLOG_ASSIGN_OR_RETURN(auto stream,
                           MessageStream::ConnectTls(remote.address, std::move(context), deadline));
  STARLOG_ASSIGN_OR_RETURN(
      auto client,
      Handshake(std::move(stream), remote.address,
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                remote.token));
  client->remote_ = true;
  return client;
}

Result<std::unique_ptr<Client>> Client::Handshake(std::unique_ptr<MessageStream> stream,
                                                  const std::string& socket_path,
                                                  std::chrono::milliseconds timeout,
                                                  std::string token) {
  std::unique_ptr<Client> client(new Client(std::move(stream), socket_path, timeout));
  Hello mine;
  mine.token = std::move(token);
  STARLOG_ASSIGN_OR_RETURN(Message reply, client->Call(mine));
  const auto* hello = std::get_if<Hello>(&reply);
  if (hello == nullptr) return Unexpected(reply, "hello");
  if (hello->version != kServiceProtocolVersion) {
    return Status::NotSupported("the service speaks protocol version " +
                                std::to_string(hello->version) + "; this client speaks " +
                                std::to_string(kServiceProtocolVersion));
  }
  client->user_ = hello->user;
  client->repository_id_ = hello->repository_id;
  return client;
}

Result<Message> Client::Call(const Message& request) { return CallWith(request, {}, timeout_); }

Result<Message> Client::CallWith(const Message& request, const std::vector<int>& descriptors,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const Status sent = stream_->Send(request, deadline, descriptors);
  if (!sent.ok()) {
    // A service refusing a connection says why and closes it, perhaps before
    // the request arrived: its reason, if it is there to read, says more
    // than the broken pipe.
    auto refusal = stream_->Receive(kMaxReplySize, std::min(deadline, Clock::now() + kRefusalWait));
    if (refusal.ok()) {
      if (auto* status = std::get_if<StatusReply>(&*refusal)) return std::move(status->status);
    }
    return sent;
  }
  STARLOG_ASSIGN_OR_RETURN(Message reply, stream_->Receive(kMaxReplySize, deadline));
  // A service sends no descriptors: any that came are closed, unused.
  static_cast<void>(stream_->TakeDescriptors());
  if (auto* status = std::get_if<StatusReply>(&reply)) return std::move(status->status);
  return reply;
}

Result<engine::EditResult> Client::Submit(const engine::Edit& edit, const std::string& act_for) {
  STARLOG_ASSIGN_OR_RETURN(Message reply, Call(EditRequest{edit, act_for}));
  auto* result = std::get_if<EditReply>(&reply);
  if (result == nullptr) return Unexpected(reply, "edit_result");
  return std::move(result->result);
}

Result<PlaceReply> Client::Place(const PlaceRequest& request,
                                 const std::vector<std::string>& sources,
                                 const engine::ProgressFn& progress) {
  if (remote_) {
    return Status::NotSupported(
        "files go to the service only on its Unix socket, as open descriptors, which TCP "
        "cannot carry: run this on the service's host with --service SOCKET (or with the "
        "service stopped)");
  }
  if (sources.size() != request.files.size()) {
    return Status::InvalidArgument("a place request needs one source per file");
  }
  if (sources.size() > kMaxDescriptorsPerMessage && !request.all_or_nothing) {
    return Status::InvalidArgument(std::to_string(sources.size()) + " files, more than the " +
                                   std::to_string(kMaxDescriptorsPerMessage) +
                                   " one request to the service may carry");
  }
  // More files than one message carries go in parts (protocol.h: more),
  // each part's files open here only while it is sent.
  for (size_t start = 0;; start += kMaxDescriptorsPerMessage) {
    const size_t end = std::min(sources.size(), start + kMaxDescriptorsPerMessage);
    PlaceRequest part;
    if (start == 0) part.events = request.events;
    part.files.assign(request.files.begin() + static_cast<std::ptrdiff_t>(start),
                      request.files.begin() + static_cast<std::ptrdiff_t>(end));
    part.mode = request.mode;
    part.all_or_nothing = request.all_or_nothing;
    part.act_for = request.act_for;
    part.more = end < sources.size();
    std::vector<UniqueFd> open;
    std::vector<int> descriptors;
    uint64_t bytes = 0;
    for (size_t i = start; i < end; ++i) {
      // Non-blocking, so that a FIFO named by mistake costs an error, not a
      // hang; the service checks the kind again itself.
      UniqueFd fd(::open(sources[i].c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (!fd.valid()) return ErrnoStatus("open", sources[i]);
      struct stat st;
      if (::fstat(fd.get(), &st) == 0) bytes += static_cast<uint64_t>(st.st_size);
      descriptors.push_back(fd.get());
      open.push_back(std::move(fd));
    }
    // The service copies the bytes before it answers: give it time for them
    // too, at a pessimistic 20 MB/s.
    const auto timeout = timeout_ + std::chrono::milliseconds(bytes / 20'000);
    STARLOG_ASSIGN_OR_RETURN(Message reply, CallWith(part, descriptors, timeout));
    auto* result = std::get_if<PlaceReply>(&reply);
    if (result == nullptr) return Unexpected(reply, "place_result");
    if (progress && part.more) progress(end, sources.size());
    if (!part.more) return std::move(*result);
  }
}

Result<ServiceInfo> Client::Info() {
  STARLOG_ASSIGN_OR_RETURN(Message reply, Call(InfoRequest{}));
  auto* info = std::get_if<InfoReply>(&reply);
  if (info == nullptr) return Unexpected(reply, "info_result");
  return info->info;
}

Result<std::unique_ptr<Client>> ConnectIfServed(const std::string& root,
                                                std::chrono::milliseconds timeout) {
  const std::string path = DefaultSocketPath(root);
  auto stream = MessageStream::Connect(path, Clock::now() + timeout);
  if (!stream.ok() && stream.status().IsNotFound()) return std::unique_ptr<Client>();
  if (!stream.ok()) return stream.status();
  return Client::Handshake(std::move(*stream), path, timeout);
}

}  // namespace starlog::service
