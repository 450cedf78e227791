#pragma once

// Descriptors across a Unix socket (SCM_RIGHTS): the one sendmsg that
// carries them, for the service's streams and for tests that must send what
// no honest client does.

#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace starlog::service {

// sendmsg of "size" bytes at "data" on "socket" with "descriptors" attached
// to the first byte (the kernel duplicates them; the caller keeps its own),
// and "flags" (MSG_NOSIGNAL is always added). Returns what sendmsg returns:
// the bytes sent, or -1 with errno set.
ssize_t SendWithDescriptors(int socket, const void* data, size_t size,
                            const std::vector<int>& descriptors, int flags);

}  // namespace starlog::service
