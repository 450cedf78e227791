#include "net/address.h"

namespace starlog::net {

Status ParseAddress(const std::string& address, std::string* host, uint16_t* port) {
  const size_t colon = address.rfind(':');
  const auto bad = [&] {
    return Status::InvalidArgument("not an address: '" + address + "' (want HOST:PORT)");
  };
  if (colon == std::string::npos || colon == 0) return bad();
  std::string h = address.substr(0, colon);
  if (h.front() == '[') {
    if (h.back() != ']') return bad();
    h = h.substr(1, h.size() - 2);
  }
  const std::string p = address.substr(colon + 1);
  if (h.empty() || p.empty() || p.size() > 5 ||
      p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) > 65535) {
    return bad();
  }
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(p));
  return Status::OK();
}

}  // namespace starlog::net
