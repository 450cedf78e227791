#pragma once

// Where the read commands (find-dataset, query-*, wait, info) get their
// answers: the repository opened read-only, the default, with nothing
// between the command and its files; or the repository's service, when
// --service SOCKET or $STARLOG_SERVICE names one, for a user who may not
// read the files, or a repository on another machine's disk. Either way
// the answers, their output and their errors are the same.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/universe.h"
#include "starlog/service/protocol.h"

namespace starlog::cli {

// --service SOCKET, as the read commands take it.
OptionSpec ReadServiceOption();

// --where and --bind as the service takes them: the text as typed, parsed
// here first so that a clause that does not parse is a usage error.
Result<service::WhereText> WhereTextFrom(const ParsedArgs& args);
// DatasetQueryFrom's query (common.h), its where clause as text.
Result<service::DatasetsQuery> DatasetsQueryFrom(const ParsedArgs& args,
                                                 const std::string& dataset_type);

// --order-by and --limit as the butler's query commands take them, for
// rows "what" ("datasets", "data IDs", "records").
OptionSpec OrderByOption(const std::string& what);
OptionSpec LimitOption();
// --order-by's names, comma-separated and repeatable, in order.
Result<std::vector<std::string>> OrderByFrom(const ParsedArgs& args);

// --limit: "rows" to ask for, "shown" to show at most. The butler's default
// is -20000: a negative N shows N and warns when more match, so one row
// more is asked for to know.
struct RowLimit {
  uint64_t rows = 0;  // 0: all.
  uint64_t shown = 0;
  bool warn = false;
  // Whether "count" rows found mean that more match than are shown; then
  // prints the warning (as "command", of rows "what") when the log level
  // shows warnings.
  bool Exceeded(uint64_t count, const std::string& command, const std::string& what, Io& io) const;
};
Result<RowLimit> LimitFrom(const ParsedArgs& args);

// The butler's query-datasets: the DATASET_TYPE... positionals from
// "first_type" on (none: every type), the query DatasetsQueryFrom reads,
// find-first unless --find-all, and --order-by; "limit" rows at most (0:
// all).
Result<service::DatasetSearchQuery> DatasetSearchFrom(const ParsedArgs& args, size_t first_type,
                                                      uint64_t limit);

class Reader {
 public:
  enum class Mode {
    kView,    // Reads as of --as-of (or the head), one point for every call.
    kInfo,    // The repository's info; no view.
    kFollow,  // Waits for datasets: sees the writer's new commits.
  };
  // The repository at positional 0, or its service; for kView resolves
  // --as-of now, failing as a local view would.
  static Result<std::unique_ptr<Reader>> Open(const ParsedArgs& args, Mode mode = Mode::kView);
  virtual ~Reader() = default;

  virtual const engine::Universe& universe() const = 0;
  virtual Result<engine::RepositoryInfo> Info() = 0;

  // As the RegistryView calls of the same names.
  virtual Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                                 const codec::FieldMap& data_id,
                                                 const std::vector<std::string>& collections,
                                                 std::optional<codec::Timespan> validity) = 0;
  // RegistryView::QueryDatasets of a DatasetSearch; ForEachSearched hands
  // its rows to "fn" as they are found (RegistryView::ForEachDataset) when
  // the repository is read locally; through a service, after its answer
  // arrives whole.
  virtual Result<std::vector<engine::DatasetRef>> SearchDatasets(
      const service::DatasetSearchQuery& search) = 0;
  virtual Status ForEachSearched(const service::DatasetSearchQuery& search,
                                 const engine::RegistryView::DatasetFn& fn);
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
  virtual Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) = 0;
  virtual Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) = 0;
  // Their rows handed to "fn" as they are found (service::ForEachRow) when
  // the repository is read locally; through a service, after its answer
  // arrives whole.
  virtual Status ForEachDataId(const service::DataIdsQuery& query,
                               const engine::RegistryView::FieldMapFn& fn);
  virtual Status ForEachDimensionRecord(const service::DimensionRecordsQuery& query,
                                        const engine::RegistryView::FieldMapFn& fn);

  // engine::WaitForDataset. REQUIRES: opened with Mode::kFollow.
  virtual Result<engine::DatasetRef> WaitForDataset(const std::string& dataset_type,
                                                    const codec::FieldMap& data_id,
                                                    const std::vector<std::string>& collections,
                                                    std::optional<codec::Timespan> validity,
                                                    std::chrono::milliseconds timeout) = 0;
};

}  // namespace starlog::cli
