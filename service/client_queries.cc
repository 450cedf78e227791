// Client's reads (client.h): a query request, then more for each page the
// service holds back, until the last.

#include <functional>
#include <unordered_map>

#include "starlog/service/client.h"

namespace starlog::service {

namespace {

using CallFn = std::function<Result<Message>(const Message&)>;

Status NotAPage(const Message& reply) {
  return Status::Corruption("the service answered message type " +
                            std::to_string(static_cast<int>(TypeOf(reply))) +
                            " where query_result was due");
}

// Sends "query" and hands the rows of each page to "page", asking for the
// next until none remain; an error from "page" closes the rest.
template <typename T>
Status ForEachPage(const CallFn& call, Query query, const ReadOptions& read,
                   const std::function<Status(std::vector<T>)>& page) {
  Message request = QueryRequest{read.as_of, read.page_rows, std::move(query)};
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(Message reply, call(request));
    auto* result = std::get_if<QueryReply>(&reply);
    if (result == nullptr) return NotAPage(reply);
    auto* rows = std::get_if<std::vector<T>>(&result->rows);
    if (rows == nullptr) return Status::Corruption("the service answered rows of another kind");
    if (read.sequence != nullptr) *read.sequence = result->sequence;
    Status taken = page(std::move(*rows));
    if (!taken.ok()) {
      if (result->remaining > 0) {
        // Best effort: an unclosed result is dropped by the service in time.
        static_cast<void>(call(MoreRequest{result->cursor, /*close=*/true}));
      }
      return taken;
    }
    if (result->remaining == 0) return Status::OK();
    request = MoreRequest{result->cursor, false};
  }
}

template <typename T>
Result<std::vector<T>> All(const CallFn& call, Query query, const ReadOptions& read) {
  std::vector<T> out;
  STARLOG_RETURN_IF_ERROR(ForEachPage<T>(call, std::move(query), read, [&](std::vector<T> rows) {
    if (out.empty()) {
      out = std::move(rows);
    } else {
      out.insert(out.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
    }
    return Status::OK();
  }));
  return out;
}

// The one row of a reply that has exactly one.
template <typename T>
Result<T> One(Result<std::vector<T>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) {
    return Status::Corruption("the service answered " + std::to_string(rows->size()) +
                              " rows where one was due");
  }
  return std::move(rows->front());
}

}  // namespace

Result<engine::DatasetRef> Client::FindDataset(const std::string& dataset_type,
                                               const codec::FieldMap& data_id,
                                               const std::vector<std::string>& collections,
                                               std::optional<codec::Timespan> validity,
                                               const ReadOptions& read) {
  return One(All<engine::DatasetRef>(std::bind_front(&Client::Call, this),
                                     FindDatasetQuery{dataset_type, data_id, collections, validity},
                                     read));
}

Result<std::vector<engine::DatasetRef>> Client::QueryDatasets(const DatasetsQuery& query,
                                                              const ReadOptions& read) {
  return All<engine::DatasetRef>(std::bind_front(&Client::Call, this), query, read);
}

Status Client::QueryDatasetsPaged(
    const DatasetsQuery& query, const std::function<Status(std::vector<engine::DatasetRef>)>& page,
    const ReadOptions& read) {
  return ForEachPage<engine::DatasetRef>(std::bind_front(&Client::Call, this), query, read, page);
}

Result<std::vector<engine::DatasetRef>> Client::SearchDatasets(const DatasetSearchQuery& query,
                                                               const ReadOptions& read) {
  return All<engine::DatasetRef>(std::bind_front(&Client::Call, this), query, read);
}

Status Client::SearchDatasetsPaged(
    const DatasetSearchQuery& query,
    const std::function<Status(std::vector<engine::DatasetRef>)>& page, const ReadOptions& read) {
  return ForEachPage<engine::DatasetRef>(std::bind_front(&Client::Call, this), query, read, page);
}

Result<std::vector<engine::CollectionInfo>> Client::QueryCollections(
    const std::vector<std::string>& patterns, const std::vector<codec::CollectionType>& types,
    const ReadOptions& read) {
  return All<engine::CollectionInfo>(std::bind_front(&Client::Call, this),
                                     CollectionsQuery{patterns, types}, read);
}

Result<std::optional<engine::CollectionInfo>> Client::GetCollection(const std::string& name,
                                                                    const ReadOptions& read) {
  STARLOG_ASSIGN_OR_RETURN(auto rows,
                           All<engine::CollectionInfo>(std::bind_front(&Client::Call, this),
                                                       GetCollectionQuery{name}, read));
  if (rows.empty()) return std::optional<engine::CollectionInfo>();
  return std::optional<engine::CollectionInfo>(std::move(rows.front()));
}

Result<std::vector<engine::SnapshotInfo>> Client::Snapshots(const ReadOptions& read) {
  STARLOG_ASSIGN_OR_RETURN(auto rows, All<codec::FieldMap>(std::bind_front(&Client::Call, this),
                                                           SnapshotsQuery{}, read));
  std::vector<engine::SnapshotInfo> out;
  for (const codec::FieldMap& row : rows) {
    auto name = row.find("name");
    auto sequence = row.find("sequence");
    if (name == row.end() || sequence == row.end() ||
        !std::holds_alternative<std::string>(name->second) ||
        !std::holds_alternative<int64_t>(sequence->second) ||
        std::get<int64_t>(sequence->second) < 0) {
      return Status::Corruption("a snapshot row from the service lacks its name or sequence");
    }
    out.push_back({std::get<std::string>(name->second),
                   static_cast<uint64_t>(std::get<int64_t>(sequence->second))});
  }
  return out;
}

Result<std::vector<std::string>> Client::ResolveSearchPath(const std::vector<std::string>& names,
                                                           const ReadOptions& read) {
  return All<std::string>(std::bind_front(&Client::Call, this), SearchPathQuery{names}, read);
}

Result<std::vector<std::string>> Client::DatasetTypesIn(const std::vector<std::string>& collections,
                                                        const ReadOptions& read) {
  return All<std::string>(std::bind_front(&Client::Call, this), DatasetTypesInQuery{collections},
                          read);
}

Result<std::vector<engine::DatasetTypeInfo>> Client::QueryDatasetTypes(
    const std::vector<std::string>& patterns, bool components, const ReadOptions& read) {
  return All<engine::DatasetTypeInfo>(std::bind_front(&Client::Call, this),
                                      DatasetTypesQuery{patterns, components}, read);
}

Result<std::vector<codec::FieldMap>> Client::QueryDataIds(
    const std::vector<std::string>& dimensions, const WhereText& where,
    const std::optional<DatasetsQuery>& datasets, const ReadOptions& read) {
  return QueryDataIds(DataIdsQuery{dimensions, where, datasets}, read);
}

Result<std::vector<codec::FieldMap>> Client::QueryDataIds(const DataIdsQuery& query,
                                                          const ReadOptions& read) {
  return All<codec::FieldMap>(std::bind_front(&Client::Call, this), query, read);
}

Result<std::vector<codec::FieldMap>> Client::QueryDimensionRecords(const std::string& element,
                                                                   const WhereText& where,
                                                                   const ReadOptions& read) {
  return QueryDimensionRecords(DimensionRecordsQuery{element, where}, read);
}

Result<std::vector<codec::FieldMap>> Client::QueryDimensionRecords(
    const DimensionRecordsQuery& query, const ReadOptions& read) {
  return All<codec::FieldMap>(std::bind_front(&Client::Call, this), query, read);
}

Result<std::vector<std::optional<engine::DatasetRef>>> Client::GetDatasets(
    const std::vector<codec::Uuid>& ids, const ReadOptions& read) {
  STARLOG_ASSIGN_OR_RETURN(auto found, All<engine::DatasetRef>(std::bind_front(&Client::Call, this),
                                                               GetDatasetsQuery{ids}, read));
  std::unordered_map<std::string, size_t> by_id;  // AsBytes() of each id.
  for (size_t i = 0; i < found.size(); ++i) by_id.emplace(std::string(found[i].id.AsBytes()), i);
  std::vector<std::optional<engine::DatasetRef>> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (auto it = by_id.find(std::string(ids[i].AsBytes())); it != by_id.end())
      out[i] = found[it->second];
  }
  return out;
}

Result<engine::Universe> Client::GetUniverse(const ReadOptions& read) {
  STARLOG_ASSIGN_OR_RETURN(
      std::string text,
      One(All<std::string>(std::bind_front(&Client::Call, this), UniverseQuery{}, read)));
  return engine::Universe::Parse(text);
}

Result<engine::DatasetRef> Client::WaitForDataset(const std::string& dataset_type,
                                                  const codec::FieldMap& data_id,
                                                  const std::vector<std::string>& collections,
                                                  std::optional<codec::Timespan> validity,
                                                  std::chrono::milliseconds timeout) {
  // The answer may take the whole wait: this call's deadline is the wait's
  // (as the service cuts it) plus the usual one.
  const std::chrono::milliseconds usual = timeout_;
  timeout_ = usual + std::min(timeout, kMaxWait);
  auto reply = Call(WaitRequest{dataset_type, data_id, collections, validity, timeout});
  timeout_ = usual;
  if (!reply.ok()) return reply.status();
  auto* result = std::get_if<QueryReply>(&*reply);
  if (result == nullptr) return NotAPage(*reply);
  auto* rows = std::get_if<std::vector<engine::DatasetRef>>(&result->rows);
  if (rows == nullptr) return Status::Corruption("the service answered rows of another kind");
  return One(Result<std::vector<engine::DatasetRef>>(std::move(*rows)));
}

}  // namespace starlog::service
