#include "service/remote_identity.h"

#include "starlog/service/user_tokens.h"

namespace starlog::service {

Result<RemoteIdentity> IdentifyRemote(const std::string& root, const Hello& hello,
                                      MessageStream& stream, std::string* detail) {
  // A token, when sent, decides alone: a client that sends one means it.
  if (!hello.token.empty()) {
    auto table = LoadTokenTable(root);
    if (!table.ok()) {
      *detail = "cannot use the token table: " + table.status().ToString();
      return Status::PermissionDenied(
          "the service cannot check tokens now (its token table is unusable: see its log)");
    }
    auto user = table->Authenticate(hello.token);
    if (!user) {
      return Status::PermissionDenied(
          "the token is not one this service issued, or it has been removed");
    }
    return RemoteIdentity{*user, "token"};
  }
  if (auto name = stream.peer_certificate_name()) {
    if (Status s = ValidateUserName(*name); !s.ok()) {
      return Status::PermissionDenied("the client certificate's subject CN names no user: " +
                                      std::string(s.message()));
    }
    return RemoteIdentity{*name, "certificate"};
  }
  return Status::PermissionDenied(
      "no token and no verified client certificate: the service cannot tell who you are "
      "(--token-file, or --tls-cert and --tls-key)");
}

}  // namespace starlog::service
