#pragma once

// Accepting from a listening socket (Unix or TCP) with a bound on the wait,
// so the server's loop sees Stop() within that bound.

#include <sys/socket.h>

#include <chrono>
#include <string>

#include "starlog/result.h"

namespace starlog::service {

// A connected socket accepted from "listening_fd" (close-on-exec; the caller
// owns it), with the peer's address in "*peer" if
// given; TimedOut when none arrives within "timeout" (or the one that did
// gave up first). "where" names the listener in errors.
Result<int> AcceptWithin(int listening_fd, std::chrono::milliseconds timeout,
                         const std::string& where, sockaddr_storage* peer = nullptr);

}  // namespace starlog::service
