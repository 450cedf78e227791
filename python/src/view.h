#pragma once

// The Python View: the registry as of one event, read from a ViewSource.
// One Python class over two sources, so that a repository opened here and
// one connected to its service answer through the same methods: a
// RegistryView in this process (local_view.cc), or the repository's service
// (service_view.cc), which answers each call from a RegistryView as of the
// same sequence. Calls take where clauses as their text and binds, as the
// service does; the local source parses them, with the same errors.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/universe.h"
#include "starlog/service/protocol.h"

namespace starlog::python {

// A query's datasets, a page at a time.
class DatasetPages {
 public:
  virtual ~DatasetPages() = default;
  // The next page; nullopt after the last. May block: call without the GIL.
  virtual Result<std::optional<std::vector<engine::DatasetRef>>> Next() = 0;
};

// The reads of one view. Each call may be made from several threads at once
// and blocks: call them without the GIL.
class ViewSource {
 public:
  virtual ~ViewSource() = default;

  virtual uint64_t sequence() const = 0;
  virtual const engine::Universe& universe() const = 0;

  virtual Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                                 const codec::FieldMap& data_id,
                                                 const std::vector<std::string>& collections,
                                                 std::optional<codec::Timespan> validity) = 0;
  // Reads the first page before it returns, so that a query that fails
  // fails here, as the local query does.
  virtual Result<std::unique_ptr<DatasetPages>> QueryDatasets(
      const service::DatasetSearchQuery& search) = 0;
  virtual Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) = 0;
  virtual Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) = 0;
  virtual Result<std::optional<codec::FieldMap>> GetDimensionRecord(
      const std::string& element, const codec::FieldMap& data_id) = 0;
  virtual Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types) = 0;
  virtual Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names) = 0;
  virtual Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components) = 0;
  virtual Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) = 0;
  virtual Result<engine::DatasetTypeInfo> GetDatasetType(const std::string& name) = 0;
  virtual Result<std::vector<std::optional<engine::DatasetRef>>> GetDatasets(
      const std::vector<codec::Uuid>& ids) = 0;
  virtual Result<std::vector<engine::SnapshotInfo>> Snapshots() = 0;

  // The repository it came from is closing: let go of what it holds of it
  // (waiting for reads in progress); later reads are refused.
  virtual void Close() {}
};

// A view of a repository opened in this process; it keeps "store" open.
std::shared_ptr<ViewSource> LocalView(std::shared_ptr<engine::EventStore> store,
                                      engine::RegistryView view);

struct View {
  std::shared_ptr<ViewSource> source;
};

}  // namespace starlog::python
