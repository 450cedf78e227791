#pragma once

// The service's answers to its clients' requests (protocol.h), over the
// repository's store: edits through engine::ApplyEdit as the user the
// session authenticated, info, queries as of any point from one
// engine::RegistryView each, their results in bounded pages, and wait.
// The transport (accepting, identifying, framing) is server.cc's.
//
// A query's result is computed whole by the engine (its calls return
// vectors); what is paged is its encoding, one bounded frame at a time, and
// what an unfinished result keeps between pages is bounded (RequestOptions).
//
// Reads never take the writer's lock beyond the moment a view is made, and
// see only durable commits whole: a view is made at the store's head, which
// moves from one fully written commit group to the next.
//
// Thread safety: safe for concurrent use; the server's sessions share one.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "service/placement.h"
#include "service/unique_fd.h"
#include "starlog/engine/event_store.h"
#include "starlog/mutex.h"
#include "starlog/result.h"
#include "starlog/service/protocol.h"
#include "starlog/thread_annotations.h"

namespace starlog::service {

struct RequestOptions {
  // Unfinished query results kept for more, in all and per user; beyond
  // that the least recently used is dropped. Default: 64 and 8.
  size_t max_cursors = 64;
  size_t max_cursors_per_user = 8;
  // The rows they hold, in all, measured as EncodedSizeBound; past it the
  // least recently used are dropped (the newest is kept even if it alone is
  // larger). Default: 256 MiB.
  size_t max_cursor_bytes = size_t{256} << 20;
  // An unfinished result unused this long is dropped. Default: 60 s.
  std::chrono::milliseconds cursor_timeout{60'000};
  // How often a wait asks whether its client is still there. Default: 200 ms.
  std::chrono::milliseconds hang_up_check{200};
  // The bytes one place request may hand over (the sum of its files'
  // sizes). Default: 64 GiB.
  uint64_t max_place_bytes = uint64_t{64} << 30;
};

// A place in parts on one connection (protocol.h: more): what the parts so
// far placed, kept until the last arrives. Dropping it removes their files.
struct StagedPlace {
  std::vector<codec::EventBody> events;
  std::vector<Placement> parts;
  std::set<EntryRef> named;
  uint64_t bytes = 0;

  bool active() const { return !parts.empty(); }
  void Drop() {
    events.clear();
    parts.clear();
    named.clear();
    bytes = 0;
  }
};

class Requests {
 public:
  // "store" must outlive this, and be the repository's writer (wait is woken
  // by its commits).
  explicit Requests(engine::EventStore& store, RequestOptions options = {});

  // The reply to "request" from "user", with the descriptors that came
  // with it (a place request's files; any other request takes none).
  // "hung_up" says whether the client has gone or the server is stopping;
  // a wait asks it now and then and ends with Unavailable when it says so,
  // and a place asks it before committing (gone: nothing is kept). An error
  // (not a status reply) means the request is one a client never sends:
  // the connection ends. Every descriptor is closed when this returns.
  // "staged" is the connection's place in parts, if it takes them (any
  // other request drops one unfinished).
  Result<Message> Handle(const Message& request, const std::string& user,
                         const std::function<bool()>& hung_up,
                         std::vector<UniqueFd> descriptors = {}, StagedPlace* staged = nullptr);

  // Unfinished results held now.
  size_t cursors() const EXCLUDES(mu_);

 private:
  using Clock = std::chrono::steady_clock;
  struct Cursor {
    std::string user;
    uint64_t sequence = 0;
    QueryRows rows;
    size_t next = 0;   // The first row not sent.
    size_t bytes = 0;  // EncodedSizeBound of the rows from next on.
    uint32_t page_rows = 0;
    Clock::time_point used;
  };

  Message Query(const QueryRequest& request, const std::string& user);
  Message More(const MoreRequest& request, const std::string& user);
  Message Wait(const WaitRequest& request, const std::function<bool()>& hung_up);
  Message Info();
  Result<Message> Place(PlaceRequest request, std::vector<UniqueFd> descriptors,
                        const std::string& user, const std::function<bool()>& hung_up,
                        StagedPlace* staged);
  // The page of "cursor" from cursor.next on; keeps the rest under a cursor
  // id if there is more.
  Message Page(Cursor cursor, uint64_t id) EXCLUDES(mu_);
  // Makes room for one more cursor of "user", holding "bytes": drops
  // expired ones, then the least recently used of the user's, or of all,
  // past the limits.
  void MakeRoom(const std::string& user, size_t bytes, Clock::time_point now) REQUIRES(mu_);
  void Erase(std::map<uint64_t, Cursor>::iterator it) REQUIRES(mu_);
  Result<std::string> UniverseText() EXCLUDES(mu_);
  // The view as of "sequence": the one the last query used, if it is at that
  // sequence (a view remembers the search paths and types it resolved, and
  // lookups between two commits need not resolve them again), else a new one.
  Result<engine::RegistryView> ViewAt(uint64_t sequence) EXCLUDES(mu_);

  engine::EventStore& store_;
  const RequestOptions options_;
  mutable Mutex mu_;
  std::map<uint64_t, Cursor> cursors_ GUARDED_BY(mu_);
  size_t cursor_bytes_ GUARDED_BY(mu_) = 0;  // The sum of their bytes.
  std::mt19937_64 ids_ GUARDED_BY(mu_);
  std::string universe_ GUARDED_BY(mu_);  // Empty until first asked.
  // The last view made: one, so that what it keeps alive in RocksDB (the
  // memtables its iterators pin) is bounded. Destroyed before the store.
  std::optional<engine::RegistryView> view_ GUARDED_BY(mu_);
};

}  // namespace starlog::service
