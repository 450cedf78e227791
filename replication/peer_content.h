#pragma once

// A `starlog serve`'s content, read over an authenticated channel
// (wire.h: content_open, parts_request, entries_request) for
// engine::CompareContent. Every page the peer sends is checked against the
// request before the comparison sees it: no more entries or bytes than
// asked, keys in strictly increasing order after the one asked from and
// inside the range asked for, no empty page that is not the last. A peer
// that breaks any of these is refused with Corruption naming it; nothing it
// sends is kept past the page being read.

#include <memory>
#include <string>

#include "starlog/engine/content_source.h"
#include "starlog/replication/channel.h"
#include "starlog/replication/wire.h"

namespace starlog::replication {

// Checks a page against the request it answers (see above). "peer" names
// the peer in the error.
Status CheckPartsPage(const PartsRequest& request, const PartsPage& page, const std::string& peer);
Status CheckEntriesPage(const EntriesRequest& request, const EntriesPage& page,
                        const std::string& peer);
// Checks the families a peer lists: at most kMaxContentFamilies, each name
// short and listed once.
Status CheckContentOpened(const ContentOpened& opened, const std::string& peer);

// Sends content_open on "channel" (authenticated, as a verifier) and reads
// the answer. The peer then keeps the point it fixed for the connection.
// "*channel" must outlive the source.
Result<std::unique_ptr<engine::ContentSource>> OpenPeerContent(Channel& channel);

}  // namespace starlog::replication
