#include "service/requests.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "service/placement.h"
#include "starlog/codec/event_codec.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/universe.h"
#include "starlog/engine/wait.h"

namespace starlog::service {

namespace {

template <typename T>
Result<QueryRows> Rows(Result<std::vector<T>> rows) {
  if (!rows.ok()) return rows.status();
  return QueryRows(std::move(*rows));
}

// The answer to one query, all of it, from "view".
struct Runner {
  const engine::RegistryView& view;
  const std::function<Result<std::string>()>& universe;

  Result<QueryRows> operator()(const FindDatasetQuery& q) const {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetRef ref, view.FindDataset(q.dataset_type, q.data_id,
                                                                      q.collections, q.validity));
    return QueryRows(std::vector<engine::DatasetRef>{std::move(ref)});
  }
  Result<QueryRows> operator()(const DatasetsQuery& q) const {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery query, ToEngine(q));
    return Rows(view.QueryDatasets(query));
  }
  Result<QueryRows> operator()(const DatasetSearchQuery& q) const {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch search, ToEngine(q));
    return Rows(view.QueryDatasets(search));
  }
  Result<QueryRows> operator()(const CollectionsQuery& q) const {
    return Rows(view.QueryCollections(q.patterns, q.types));
  }
  Result<QueryRows> operator()(const DatasetTypesQuery& q) const {
    return Rows(view.QueryDatasetTypes(q.patterns, q.components));
  }
  Result<QueryRows> operator()(const DataIdsQuery& q) const { return Rows(Answer(view, q)); }
  Result<QueryRows> operator()(const DimensionRecordsQuery& q) const {
    return Rows(Answer(view, q));
  }
  Result<QueryRows> operator()(const GetDatasetsQuery& q) const {
    std::vector<engine::DatasetRef> found;
    for (const codec::Uuid& id : q.ids) {
      STARLOG_ASSIGN_OR_RETURN(auto ref, view.GetDataset(id));
      if (ref) found.push_back(std::move(*ref));
    }
    return QueryRows(std::move(found));
  }
  Result<QueryRows> operator()(const GetCollectionQuery& q) const {
    STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(q.name));
    std::vector<engine::CollectionInfo> rows;
    if (info) rows.push_back(std::move(*info));
    return QueryRows(std::move(rows));
  }
  Result<QueryRows> operator()(const SearchPathQuery& q) const {
    return Rows(view.ResolveSearchPath(q.names));
  }
  Result<QueryRows> operator()(const DatasetTypesInQuery& q) const {
    return Rows(view.DatasetTypesIn(q.collections));
  }
  Result<QueryRows> operator()(const SnapshotsQuery&) const {
    STARLOG_ASSIGN_OR_RETURN(auto snapshots, view.Snapshots());
    std::vector<codec::FieldMap> rows;
    for (const engine::SnapshotInfo& s : snapshots) {
      rows.push_back({{"name", s.name}, {"sequence", static_cast<int64_t>(s.sequence)}});
    }
    return QueryRows(std::move(rows));
  }
  Result<QueryRows> operator()(const UniverseQuery&) const {
    STARLOG_ASSIGN_OR_RETURN(std::string text, universe());
    return QueryRows(std::vector<std::string>{std::move(text)});
  }
};

// Rows [from, to) of "rows", moved out.
QueryRows Slice(QueryRows& rows, size_t from, size_t to) {
  return std::visit(
      [&](auto& v) {
        using V = std::decay_t<decltype(v)>;
        return QueryRows(
            V(std::make_move_iterator(v.begin() + from), std::make_move_iterator(v.begin() + to)));
      },
      rows);
}

Message Refusal(Status status) { return Message(StatusReply{std::move(status)}); }

// Acting for another: whose rights are used is the engine's to decide (the
// act-for role), and the event names both.
engine::Actor ActorFor(const std::string& user, const std::string& act_for) {
  return act_for.empty() || act_for == user ? engine::Actor(user) : engine::Actor(act_for, user);
}

}  // namespace

Requests::Requests(engine::EventStore& store, RequestOptions options)
    : store_(store), options_(options), ids_(std::random_device{}()) {}

size_t Requests::cursors() const {
  MutexLock lock(&mu_);
  return cursors_.size();
}

Result<Message> Requests::Handle(const Message& request, const std::string& user,
                                 const std::function<bool()>& hung_up,
                                 std::vector<UniqueFd> descriptors, StagedPlace* staged) {
  if (const auto* place = std::get_if<PlaceRequest>(&request)) {
    return Place(*place, std::move(descriptors), user, hung_up, staged);
  }
  if (staged != nullptr) staged->Drop();
  if (!descriptors.empty()) {
    return Status::InvalidArgument(
        std::to_string(descriptors.size()) + " descriptors came with message type " +
        std::to_string(static_cast<int>(TypeOf(request))) + ", which takes none");
  }
  if (const auto* edit = std::get_if<EditRequest>(&request)) {
    auto result = engine::ApplyEdit(store_, edit->edit, ActorFor(user, edit->act_for));
    if (!result.ok()) return Refusal(result.status());
    return Message(EditReply{std::move(*result)});
  }
  if (std::holds_alternative<InfoRequest>(request)) return Info();
  if (const auto* query = std::get_if<QueryRequest>(&request)) return Query(*query, user);
  if (const auto* more = std::get_if<MoreRequest>(&request)) return More(*more, user);
  if (const auto* wait = std::get_if<WaitRequest>(&request)) return Wait(*wait, hung_up);
  return Status::InvalidArgument(
      "a client sends edit, info, query, more, wait or place requests, not message type " +
      std::to_string(static_cast<int>(TypeOf(request))));
}

Result<Message> Requests::Place(PlaceRequest request, std::vector<UniqueFd> descriptors,
                                const std::string& user, const std::function<bool()>& hung_up,
                                StagedPlace* staged) {
  // A count that disagrees with the files is a client that does not speak
  // the protocol: the connection ends (the descriptors close here).
  if (descriptors.size() != request.files.size()) {
    return Status::InvalidArgument("the place request names " +
                                   std::to_string(request.files.size()) + " files and came with " +
                                   std::to_string(descriptors.size()) + " descriptors");
  }
  // A part after the first places its files into the events the first
  // brought; any refusal drops the parts so far.
  // A request with events begins a new place: one its client abandoned
  // half-sent on this connection goes.
  if (staged != nullptr && staged->active() && !request.events.empty()) staged->Drop();
  const bool continuing = staged != nullptr && staged->active();
  const auto refuse = [&](Status status) {
    if (staged != nullptr) staged->Drop();
    return Refusal(std::move(status));
  };
  if ((request.more || continuing) && (staged == nullptr || !request.all_or_nothing)) {
    return refuse(Status::InvalidArgument(
        "a place in parts is all or nothing, and goes on one connection to the service"));
  }
  if (continuing) request.events = std::move(staged->events);
  const uint64_t budget =
      options_.max_place_bytes - std::min(options_.max_place_bytes, continuing ? staged->bytes : 0);
  auto placement = Placement::Place(store_.root(), request, std::move(descriptors), budget, hung_up,
                                    request.more || continuing ? &staged->named : nullptr);
  if (!placement.ok()) return refuse(placement.status());
  if (request.more) {
    staged->events = std::move(request.events);
    staged->bytes += placement->bytes();
    staged->parts.push_back(std::move(*placement));
    PlaceReply part;
    part.result.head = store_.head();
    return Message(std::move(part));
  }
  PlaceReply reply;
  reply.skipped = placement->skipped();
  if (!request.all_or_nothing && placement->placed() == 0) {
    // Nothing to register: no RUN, no records either, as a local ingest.
    reply.result.head = store_.head();
    return Message(std::move(reply));
  }
  // A client gone before its files are registered gets nothing done: no
  // event, and "placement" removes the files.
  if (hung_up && hung_up()) {
    return refuse(Status::Unavailable(
        "the client hung up before its files were registered: nothing was kept"));
  }
  auto result = engine::ApplyEdit(store_, engine::AppendEdit{std::move(request.events)},
                                  ActorFor(user, request.act_for));
  if (!result.ok()) return refuse(result.status());
  placement->Commit();
  if (continuing) {
    for (Placement& part : staged->parts) part.Commit();
    staged->Drop();
  }
  reply.result = std::move(*result);
  return Message(std::move(reply));
}

Message Requests::Info() {
  auto info = store_.Info();
  if (!info.ok()) return Refusal(info.status());
  return Message(InfoReply{ServiceInfo{info->repository_id, info->head, info->root,
                                       info->format_version, std::move(info->families)}});
}

Message Requests::Query(const QueryRequest& request, const std::string& user) {
  // One view for the whole answer, however many pages it takes.
  uint64_t as_of = store_.head().sequence;
  if (!request.as_of.empty()) {
    auto resolved = engine::ResolveAsOf(store_, request.as_of);
    if (!resolved.ok()) return Refusal(resolved.status());
    as_of = *resolved;
  }
  auto view = ViewAt(as_of);
  if (!view.ok()) return Refusal(view.status());
  const std::function<Result<std::string>()> universe = [this] { return UniverseText(); };
  auto rows = std::visit(Runner{*view, universe}, request.query);
  if (!rows.ok()) return Refusal(rows.status());
  Cursor cursor;
  cursor.user = user;
  cursor.sequence = view->sequence();
  cursor.rows = std::move(*rows);
  cursor.page_rows = request.page_rows;
  return Page(std::move(cursor), 0);
}

Message Requests::More(const MoreRequest& request, const std::string& user) {
  std::optional<Cursor> cursor;
  {
    MutexLock lock(&mu_);
    auto it = cursors_.find(request.cursor);
    // Another user's cursor is as good as none: ids are not secrets to
    // share, but results are read as their owner.
    if (it != cursors_.end() && it->second.user == user) {
      cursor = std::move(it->second);
      Erase(it);
    }
  }
  if (!cursor) {
    return Refusal(Status::NotFound("no unfinished query result " + std::to_string(request.cursor) +
                                    " for this client: finished, closed, or dropped (unused for " +
                                    std::to_string(options_.cursor_timeout.count() / 1000) +
                                    " s, or to make room for newer ones); run the query again"));
  }
  if (request.close) cursor->next = RowCount(cursor->rows);
  return Page(std::move(*cursor), request.cursor);
}

Message Requests::Page(Cursor cursor, uint64_t id) {
  const size_t total = RowCount(cursor.rows);
  size_t end = cursor.next;
  size_t bytes = 0;
  while (end < total) {
    if (cursor.page_rows != 0 && end - cursor.next >= cursor.page_rows) break;
    const size_t row = EncodedSizeBound(cursor.rows, end);
    if (end > cursor.next && bytes + row > kPageBytes) break;
    bytes += row;
    ++end;
  }
  QueryReply reply;
  reply.sequence = cursor.sequence;
  reply.rows = Slice(cursor.rows, cursor.next, end);
  reply.remaining = total - end;
  if (reply.remaining == 0) return Message(std::move(reply));
  if (id == 0) {
    cursor.bytes = 0;
    for (size_t i = end; i < total; ++i) cursor.bytes += EncodedSizeBound(cursor.rows, i);
  } else {
    cursor.bytes -= std::min(cursor.bytes, bytes);
  }
  cursor.next = end;
  const auto now = Clock::now();
  cursor.used = now;
  MutexLock lock(&mu_);
  if (id == 0) {
    MakeRoom(cursor.user, cursor.bytes, now);
    do {
      id = ids_();
    } while (id == 0 || cursors_.count(id) != 0);
  }
  reply.cursor = id;
  cursor_bytes_ += cursor.bytes;
  cursors_.emplace(id, std::move(cursor));
  return Message(std::move(reply));
}

void Requests::Erase(std::map<uint64_t, Cursor>::iterator it) {
  cursor_bytes_ -= it->second.bytes;
  cursors_.erase(it);
}

void Requests::MakeRoom(const std::string& user, size_t bytes, Clock::time_point now) {
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    auto here = it++;
    if (now - here->second.used > options_.cursor_timeout) Erase(here);
  }
  while (!cursors_.empty()) {
    size_t users = 0;
    auto oldest = cursors_.end();
    auto oldest_of_user = cursors_.end();
    for (auto it = cursors_.begin(); it != cursors_.end(); ++it) {
      if (oldest == cursors_.end() || it->second.used < oldest->second.used) oldest = it;
      if (it->second.user != user) continue;
      ++users;
      if (oldest_of_user == cursors_.end() || it->second.used < oldest_of_user->second.used) {
        oldest_of_user = it;
      }
    }
    if (users > 0 && users >= options_.max_cursors_per_user) {
      Erase(oldest_of_user);
    } else if (cursors_.size() >= options_.max_cursors ||
               cursor_bytes_ + bytes > options_.max_cursor_bytes) {
      Erase(oldest);
    } else {
      return;
    }
  }
}

Message Requests::Wait(const WaitRequest& request, const std::function<bool()>& hung_up) {
  const auto timeout = std::min(request.timeout, kMaxWait);
  const std::function<Status()> check = [&hung_up] {
    if (hung_up && hung_up()) {
      return Status::Unavailable("the wait ended: the client hung up or the service is stopping");
    }
    return Status::OK();
  };
  auto found =
      engine::WaitForDataset(store_, request.dataset_type, request.data_id, request.collections,
                             request.validity, timeout, check, options_.hang_up_check);
  if (!found.ok()) return Refusal(found.status());
  QueryReply reply;
  reply.rows = std::vector<engine::DatasetRef>{std::move(*found)};
  return Message(std::move(reply));
}

Result<engine::RegistryView> Requests::ViewAt(uint64_t sequence) {
  {
    MutexLock lock(&mu_);
    if (view_ && view_->sequence() == sequence) return *view_;
  }
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store_.View(sequence));
  MutexLock lock(&mu_);
  view_ = view;
  return view;
}

Result<std::string> Requests::UniverseText() {
  {
    MutexLock lock(&mu_);
    if (!universe_.empty()) return universe_;
  }
  // Event 1 records it, and nothing changes it after.
  STARLOG_ASSIGN_OR_RETURN(auto first, store_.ReadLog(1, 1));
  if (first.empty()) return Status::NotFound("the repository has no first event yet");
  STARLOG_ASSIGN_OR_RETURN(codec::Event event, codec::DecodeEventFrame(first[0].frame));
  const auto* init = std::get_if<codec::InitRepository>(&event.body);
  if (init == nullptr) return Status::Corruption("event 1 does not initialise the repository");
  std::string text =
      init->universe.empty() ? std::string(engine::DefaultUniverseText()) : init->universe;
  MutexLock lock(&mu_);
  universe_ = text;
  return text;
}

}  // namespace starlog::service
