// ViewSource over a RegistryView in this process: the engine's calls, the
// where clauses parsed here.

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
  LocalSource(std::shared_ptr<engine::EventStore> store, engine::RegistryView view)
      : store_(std::move(store)), view_(std::move(view)) {}

  uint64_t sequence() const override { return view_.sequence(); }
  const engine::Universe& universe() const override { return view_.universe(); }

  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity) override {
    return view_.FindDataset(dataset_type, data_id, collections, validity);
  }
  Result<std::unique_ptr<DatasetPages>> QueryDatasets(
      const service::DatasetSearchQuery& search) override {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch q, service::ToEngine(search));
    STARLOG_ASSIGN_OR_RETURN(auto refs, view_.QueryDatasets(q));
    return std::unique_ptr<DatasetPages>(new OnePage(std::move(refs)));
  }
  Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) override {
    return service::Answer(view_, query);
  }
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) override {
    return service::Answer(view_, query);
  }
  Result<std::optional<codec::FieldMap>> GetDimensionRecord(
      const std::string& element, const codec::FieldMap& data_id) override {
    return view_.GetDimensionRecord(element, data_id);
  }
  Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types) override {
    return view_.QueryCollections(patterns, types);
  }
  Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name) override {
    return view_.GetCollection(name);
  }
  Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names) override {
    return view_.ResolveSearchPath(names);
  }
  Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components) override {
    return view_.QueryDatasetTypes(patterns, components);
  }
  Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) override {
    return view_.DatasetTypesIn(collections);
  }
  Result<engine::DatasetTypeInfo> GetDatasetType(const std::string& name) override {
    return view_.GetDatasetType(name);
  }
  Result<std::vector<std::optional<engine::DatasetRef>>> GetDatasets(
      const std::vector<codec::Uuid>& ids) override {
    std::vector<std::optional<engine::DatasetRef>> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
      STARLOG_ASSIGN_OR_RETURN(auto ref, view_.GetDataset(id));
      out.push_back(std::move(ref));
    }
    return out;
  }
  Result<std::vector<engine::SnapshotInfo>> Snapshots() override { return view_.Snapshots(); }

 private:
  std::shared_ptr<engine::EventStore> store_;  // The view must not outlive its store.
  engine::RegistryView view_;
};

}  // namespace

std::shared_ptr<ViewSource> LocalView(std::shared_ptr<engine::EventStore> store,
                                      engine::RegistryView view) {
  return std::make_shared<LocalSource>(std::move(store), std::move(view));
}

}  // namespace starlog::python
