#pragma once

// Whether a client is still there, asked of its socket without reading from
// it: for a request that blocks a long time (wait) while its client, who
// sends nothing meanwhile, may be killed.

namespace starlog::service {

// True if the peer of the connected stream socket "fd" has closed it or the
// connection broke, or if this side's reading was shut down (the server
// stopping); false while it is open, whether or not bytes wait to be read.
bool PeerHungUp(int fd);

}  // namespace starlog::service
