#pragma once

// TCP addresses as starlog's options spell them: "HOST:PORT", "[v6]:PORT"
// for IPv6.

#include <cstdint>
#include <string>

#include "starlog/status.h"

namespace starlog::net {

// Splits "HOST:PORT". InvalidArgument if malformed.
Status ParseAddress(const std::string& address, std::string* host, uint16_t* port);

}  // namespace starlog::net
