// ViewSource through the repository's service: every call read as of the
// view's one sequence (resolved once, when the view is made), as the CLI's
// reader does, so that the calls of one view agree.

#include "python/src/service_view.h"

#include <thread>
#include <utility>

#include "python/src/service_connection.h"
#include "starlog/codec/text.h"
#include "starlog/mutex.h"
#include "starlog/thread_annotations.h"

namespace starlog::python {

namespace {

// A query's pages as the service sends them, read on a thread of their own
// over a connection of their own (SearchDatasetsPaged hands pages to a
// callback), one page ahead of the reader at most: a result larger than
// memory is never held whole.
class ServicePages : public DatasetPages {
 public:
  ServicePages(std::unique_ptr<service::Client> client, service::DatasetSearchQuery query,
               std::string as_of)
      : client_(std::move(client)),
        query_(std::move(query)),
        as_of_(std::move(as_of)),
        reader_([this] { Read(); }) {}

  ~ServicePages() override {
    {
      MutexLock lock(&mu_);
      dropped_ = true;
      changed_.SignalAll();
    }
    reader_.join();  // Returns once the service is told to drop the rest.
  }

  Result<std::optional<std::vector<engine::DatasetRef>>> Next() override {
    MutexLock lock(&mu_);
    while (!page_ && !finished_) changed_.Wait(&mu_);
    if (page_) {
      std::optional<std::vector<engine::DatasetRef>> out = std::move(page_);
      page_.reset();
      changed_.SignalAll();
      return out;
    }
    if (!status_.ok()) return status_;
    return std::optional<std::vector<engine::DatasetRef>>();
  }

 private:
  void Read() {
    service::ReadOptions read;
    read.as_of = as_of_;
    const Status status = client_->SearchDatasetsPaged(
        query_,
        [this](std::vector<engine::DatasetRef> page) {
          MutexLock lock(&mu_);
          while (page_ && !dropped_) changed_.Wait(&mu_);
          if (dropped_) return Status::Unavailable("the query's iterator was dropped");
          page_ = std::move(page);
          changed_.SignalAll();
          return Status::OK();
        },
        read);
    MutexLock lock(&mu_);
    finished_ = true;
    status_ = status;
    changed_.SignalAll();
  }

  std::unique_ptr<service::Client> client_;  // The reader thread's alone.
  const service::DatasetSearchQuery query_;
  const std::string as_of_;
  Mutex mu_;
  CondVar changed_;
  std::optional<std::vector<engine::DatasetRef>> page_ GUARDED_BY(mu_);
  bool finished_ GUARDED_BY(mu_) = false;
  bool dropped_ GUARDED_BY(mu_) = false;
  Status status_ GUARDED_BY(mu_);
  std::thread reader_;  // Last: starts once the rest is in place.
};

class ServiceSource : public ViewSource {
 public:
  ServiceSource(std::shared_ptr<ServiceConnection> service, engine::Universe universe,
                uint64_t sequence)
      : service_(std::move(service)),
        universe_(std::move(universe)),
        sequence_(sequence),
        as_of_(std::to_string(sequence)) {}

  uint64_t sequence() const override { return sequence_; }
  const engine::Universe& universe() const override { return universe_; }

  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity) override {
    return service_->With([&](service::Client& c) {
      return c.FindDataset(dataset_type, data_id, collections, validity, At());
    });
  }
  Result<std::unique_ptr<DatasetPages>> QueryDatasets(
      const service::DatasetSearchQuery& query) override {
    STARLOG_ASSIGN_OR_RETURN(auto client, service_->Open());
    auto pages = std::make_unique<ServicePages>(std::move(client), query, as_of_);
    // The first page now, so that a query that fails fails at the call.
    STARLOG_ASSIGN_OR_RETURN(auto first, pages->Next());
    return std::unique_ptr<DatasetPages>(new Ahead(std::move(first), std::move(pages)));
  }
  Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) override {
    return service_->With([&](service::Client& c) { return c.QueryDataIds(query, At()); });
  }
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) override {
    return service_->With([&](service::Client& c) { return c.QueryDimensionRecords(query, At()); });
  }
  // As RegistryView's: the record for the element's keys of "data_id",
  // none when one is missing; asked as a where clause on those keys.
  Result<std::optional<codec::FieldMap>> GetDimensionRecord(
      const std::string& element, const codec::FieldMap& data_id) override {
    if (universe_.Find(element) == nullptr) {
      return Status::NotFound("no dimension element '" + element + "'");
    }
    STARLOG_ASSIGN_OR_RETURN(auto keys, universe_.RequiredKeys({element}));
    service::WhereText where;
    for (const std::string& key : keys) {
      auto it = data_id.find(key);
      if (it == data_id.end()) return std::optional<codec::FieldMap>();
      // Bound under names no dimension has, so that a bind never shadows a key.
      const std::string bind = "starlog_key_" + std::to_string(where.binds.size());
      where.text += (where.text.empty() ? "" : " AND ") + key + " = " + bind;
      where.binds.emplace(bind, it->second);
    }
    STARLOG_ASSIGN_OR_RETURN(auto records,
                             QueryDimensionRecords(service::DimensionRecordsQuery{element, where}));
    if (records.empty()) return std::optional<codec::FieldMap>();
    return std::optional<codec::FieldMap>(std::move(records.front()));
  }
  Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types) override {
    return service_->With(
        [&](service::Client& c) { return c.QueryCollections(patterns, types, At()); });
  }
  Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name) override {
    return service_->With([&](service::Client& c) { return c.GetCollection(name, At()); });
  }
  Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names) override {
    return service_->With([&](service::Client& c) { return c.ResolveSearchPath(names, At()); });
  }
  Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) override {
    return service_->With([&](service::Client& c) { return c.DatasetTypesIn(collections, At()); });
  }
  Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components) override {
    return service_->With(
        [&](service::Client& c) { return c.QueryDatasetTypes(patterns, components, At()); });
  }
  // The protocol has no lookup of one type: the parent's entry with its
  // components, the one named picked out.
  Result<engine::DatasetTypeInfo> GetDatasetType(const std::string& name) override {
    const std::string parent = name.substr(0, name.find('.'));
    STARLOG_ASSIGN_OR_RETURN(auto types, QueryDatasetTypes({parent}, parent != name));
    for (auto& t : types) {
      if (t.name == name) return std::move(t);
    }
    if (types.empty()) return Status::NotFound("no dataset type " + codec::Quoted(parent));
    // Worded as RegistryView::GetDatasetType words it.
    std::string known;
    for (size_t i = 1; i < types.size(); ++i) {
      known += (known.empty() ? "" : ", ") + types[i].name.substr(parent.size() + 1);
    }
    return Status::NotFound("dataset type " + codec::Quoted(parent) + " (storage class " +
                            types.front().storage_class + ") has no component " +
                            codec::Quoted(name.substr(parent.size() + 1)) +
                            (known.empty() ? "; it has no components" : "; it has " + known));
  }
  Result<std::vector<std::optional<engine::DatasetRef>>> GetDatasets(
      const std::vector<codec::Uuid>& ids) override {
    return service_->With([&](service::Client& c) { return c.GetDatasets(ids, At()); });
  }
  Result<std::vector<engine::SnapshotInfo>> Snapshots() override {
    return service_->With([&](service::Client& c) { return c.Snapshots(At()); });
  }

 private:
  // The first page, read at the call, then the rest.
  class Ahead : public DatasetPages {
   public:
    Ahead(std::optional<std::vector<engine::DatasetRef>> first, std::unique_ptr<DatasetPages> rest)
        : first_(std::move(first)), rest_(std::move(rest)) {}
    Result<std::optional<std::vector<engine::DatasetRef>>> Next() override {
      if (first_) {
        auto out = std::move(first_);
        first_.reset();
        return out;
      }
      return rest_->Next();
    }

   private:
    std::optional<std::vector<engine::DatasetRef>> first_;
    std::unique_ptr<DatasetPages> rest_;
  };

  service::ReadOptions At() const { return {as_of_, 0, nullptr}; }

  std::shared_ptr<ServiceConnection> service_;
  engine::Universe universe_;
  uint64_t sequence_;
  std::string as_of_;
};

}  // namespace

Result<std::shared_ptr<ViewSource>> ServiceView(std::shared_ptr<ServiceConnection> service,
                                                const std::string& as_of) {
  uint64_t sequence = 0;
  service::ReadOptions read{as_of, 0, &sequence};
  STARLOG_ASSIGN_OR_RETURN(engine::Universe universe,
                           service->With([&](service::Client& c) { return c.GetUniverse(read); }));
  return std::shared_ptr<ViewSource>(
      std::make_shared<ServiceSource>(std::move(service), std::move(universe), sequence));
}

}  // namespace starlog::python
