#pragma once

// Who a client on TCP is: the holder of the token its hello carries
// (user_tokens.h, the table read now, so a removed token is refused at
// once), or else the subject CN of the client certificate TLS verified.
// Never the hello's user field, nor anything else the client says of itself.

#include <string>

#include "service/message_stream.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"

namespace starlog::service {

struct RemoteIdentity {
  std::string user;
  std::string how;  // "token" or "certificate", for the service's log.
};

// The identity of the client that said "hello" on "stream", for the
// repository at "root". PermissionDenied, worded for the client, if it has
// none; what only the service's log should say (a token table it cannot
// use) goes to "*detail".
Result<RemoteIdentity> IdentifyRemote(const std::string& root, const Hello& hello,
                                      MessageStream& stream, std::string* detail);

}  // namespace starlog::service
