// ViewSource over a RegistryView in this process: the engine's calls, the
// where clauses parsed here.

#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>

#include "python/src/view.h"

namespace starlog::python {

namespace {

// The engine answers a query whole: one page.
class OnePage : public DatasetPages {
 public:
  explicit OnePage(std::vector<engine::DatasetRef> refs) : refs_(std::move(refs)) {}
  Result<std::optional<std::vector<engine::DatasetRef>>> Next() override {
    if (done_) return std::optional<std::vector<engine::DatasetRef>>();
    done_ = true;
    return std::optional<std::vector<engine::DatasetRef>>(std::move(refs_));
  }

 private:
  std::vector<engine::DatasetRef> refs_;
  bool done_ = false;
};

class LocalSource : public ViewSource {
 public:
  LocalSource(std::shared_ptr<engine::EventStore> store, engine::RegistryView view,
              std::string root)
      : sequence_(view.sequence()),
        universe_(view.universe()),
        root_(std::move(root)),
        store_(std::move(store)),
        view_(std::move(view)) {}

  uint64_t sequence() const override { return sequence_; }
  const engine::Universe& universe() const override { return universe_; }

  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity) override {
    return With([&](const engine::RegistryView& v) {
      return v.FindDataset(dataset_type, data_id, collections, validity);
    });
  }
  Result<std::unique_ptr<DatasetPages>> QueryDatasets(
      const service::DatasetSearchQuery& search) override {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch q, service::ToEngine(search));
    STARLOG_ASSIGN_OR_RETURN(
        auto refs, With([&](const engine::RegistryView& v) { return v.QueryDatasets(q); }));
    return std::unique_ptr<DatasetPages>(new OnePage(std::move(refs)));
  }
  Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) override {
    return With([&](const engine::RegistryView& v) { return service::Answer(v, query); });
  }
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) override {
    return With([&](const engine::RegistryView& v) { return service::Answer(v, query); });
  }
  Result<std::optional<codec::FieldMap>> GetDimensionRecord(
      const std::string& element, const codec::FieldMap& data_id) override {
    return With(
        [&](const engine::RegistryView& v) { return v.GetDimensionRecord(element, data_id); });
  }
  Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types) override {
    return With([&](const engine::RegistryView& v) { return v.QueryCollections(patterns, types); });
  }
  Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name) override {
    return With([&](const engine::RegistryView& v) { return v.GetCollection(name); });
  }
  Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names) override {
    return With([&](const engine::RegistryView& v) { return v.ResolveSearchPath(names); });
  }
  Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components) override {
    return With(
        [&](const engine::RegistryView& v) { return v.QueryDatasetTypes(patterns, components); });
  }
  Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) override {
    return With([&](const engine::RegistryView& v) { return v.DatasetTypesIn(collections); });
  }
  Result<engine::DatasetTypeInfo> GetDatasetType(const std::string& name) override {
    return With([&](const engine::RegistryView& v) { return v.GetDatasetType(name); });
  }
  Result<std::vector<std::optional<engine::DatasetRef>>> GetDatasets(
      const std::vector<codec::Uuid>& ids) override {
    return With([&](const engine::RegistryView& v)
                    -> Result<std::vector<std::optional<engine::DatasetRef>>> {
      std::vector<std::optional<engine::DatasetRef>> out;
      out.reserve(ids.size());
      for (const auto& id : ids) {
        STARLOG_ASSIGN_OR_RETURN(auto ref, v.GetDataset(id));
        out.push_back(std::move(ref));
      }
      return out;
    });
  }
  Result<std::vector<engine::SnapshotInfo>> Snapshots() override {
    return With([&](const engine::RegistryView& v) { return v.Snapshots(); });
  }

  // Waits for the reads in progress, then lets go of the view and the
  // store, so that the repository's Close releases it (its lock with it).
  void Close() override {
    std::unique_lock lock(mu_);
    view_.reset();
    store_.reset();
  }

 private:
  // Runs "read" on the view, unless the repository it came from is closed.
  template <typename Fn>
  auto With(Fn&& read) -> decltype(read(std::declval<const engine::RegistryView&>())) {
    std::shared_lock lock(mu_);
    if (!view_) {
      return Status::InvalidArgument("the repository " + root_ +
                                     " is closed: a view of it reads nothing more");
    }
    return read(*view_);
  }

  const uint64_t sequence_;
  const engine::Universe universe_;  // Kept: packers and values use it after a close.
  const std::string root_;
  std::shared_mutex mu_;                       // Shared by reads, taken whole by Close.
  std::shared_ptr<engine::EventStore> store_;  // The view must not outlive its store.
  std::optional<engine::RegistryView> view_;
};

}  // namespace

std::shared_ptr<ViewSource> LocalView(std::shared_ptr<engine::EventStore> store,
                                      engine::RegistryView view) {
  std::string root = store->root();
  return std::make_shared<LocalSource>(std::move(store), std::move(view), std::move(root));
}

}  // namespace starlog::python
