#include "cli/reader.h"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "cli/common.h"
#include "starlog/engine/wait.h"
#include "starlog/service/client.h"

namespace starlog::cli {

OptionSpec ReadServiceOption() {
  return {"service", "SOCKET",
          "answer through the service on SOCKET (default: $STARLOG_SERVICE, else read the "
          "repository's files directly)"};
}

Result<service::WhereText> WhereTextFrom(const ParsedArgs& args) {
  STARLOG_RETURN_IF_ERROR(Where(args).status());
  STARLOG_ASSIGN_OR_RETURN(engine::WhereBinds binds, Binds(args));
  return service::WhereText{args.GetOr("where", ""), std::move(binds)};
}

Result<service::DatasetsQuery> DatasetsQueryFrom(const ParsedArgs& args,
                                                 const std::string& dataset_type) {
  STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery parsed, DatasetQueryFrom(args, dataset_type));
  STARLOG_ASSIGN_OR_RETURN(service::WhereText where, WhereTextFrom(args));
  return service::DatasetsQuery{parsed.dataset_type, parsed.collections, std::move(where),
                                parsed.find_first, parsed.validity};
}

OptionSpec OrderByOption(const std::string& what) {
  return {"order-by", "NAMES",
          "order the " + what + " by these (comma-separated; -name: descending)", true};
}

OptionSpec LimitOption() {
  return {"limit", "N", "at most N rows (0: all; -N: N, warning if more; -20000)"};
}

Result<std::vector<std::string>> OrderByFrom(const ParsedArgs& args) {
  std::vector<std::string> out;
  for (const std::string& value : args.GetAll("order-by")) {
    std::stringstream in(value);
    for (std::string item; std::getline(in, item, ',');) {
      if (item.empty()) continue;
      if (item == "-") return UsageError("--order-by: a '-' needs a name after it (-exposure)");
      out.push_back(item);
    }
  }
  return out;
}

Result<RowLimit> LimitFrom(const ParsedArgs& args) {
  // The butler's default: at most 20,000 rows, with a warning when there were more.
  int64_t limit = -20'000;
  if (const auto text = args.Get("limit")) {
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, limit);
    if (ec != std::errc() || ptr != end || text->empty() ||
        limit == std::numeric_limits<int64_t>::min()) {
      return UsageError(
          "--limit takes an integer (0: no limit; -N: N, warning if there are more), "
          "not '" +
          *text + "'");
    }
  }
  RowLimit out;
  out.warn = limit < 0;
  out.shown = static_cast<uint64_t>(out.warn ? -limit : limit);
  out.rows = out.warn ? out.shown + 1 : out.shown;
  return out;
}

bool RowLimit::Exceeded(uint64_t count, const std::string& command, const std::string& what,
                        Io& io) const {
  if (!warn || count <= shown) return false;
  if (io.Shows(LogLevel::kWarning)) {
    io.err << command << ": the limit of " << shown << " rows was reached and more " << what
           << " match; --limit N shows N, 0 all\n";
  }
  return true;
}

Result<service::DatasetSearchQuery> DatasetSearchFrom(const ParsedArgs& args, size_t first_type,
                                                      uint64_t limit) {
  service::DatasetSearchQuery search;
  for (size_t i = first_type; i < args.positional_count(); ++i) {
    search.dataset_types.push_back(args.positional(i));
  }
  STARLOG_ASSIGN_OR_RETURN(search.query, DatasetsQueryFrom(args, ""));
  STARLOG_ASSIGN_OR_RETURN(search.query.find_first, FindFirstFrom(args));
  STARLOG_ASSIGN_OR_RETURN(search.order_by, OrderByFrom(args));
  search.limit = limit;
  return search;
}

Status Reader::ForEachSearched(const service::DatasetSearchQuery& search,
                               const engine::RegistryView::DatasetFn& fn) {
  STARLOG_ASSIGN_OR_RETURN(auto refs, SearchDatasets(search));
  for (engine::DatasetRef& ref : refs) {
    if (!fn(std::move(ref))) break;
  }
  return Status::OK();
}

namespace {

Status HandOn(Result<std::vector<codec::FieldMap>> rows,
              const engine::RegistryView::FieldMapFn& fn) {
  STARLOG_RETURN_IF_ERROR(rows.status());
  for (codec::FieldMap& row : *rows) {
    if (!fn(std::move(row))) break;
  }
  return Status::OK();
}

}  // namespace

Status Reader::ForEachDataId(const service::DataIdsQuery& query,
                             const engine::RegistryView::FieldMapFn& fn) {
  return HandOn(QueryDataIds(query), fn);
}

Status Reader::ForEachDimensionRecord(const service::DimensionRecordsQuery& query,
                                      const engine::RegistryView::FieldMapFn& fn) {
  return HandOn(QueryDimensionRecords(query), fn);
}

namespace {

// The repository's files, opened read-only (or following, to wait).
class LocalReader final : public Reader {
 public:
  LocalReader(std::unique_ptr<engine::EventStore> store, engine::RegistryView view)
      : store_(std::move(store)), view_(std::move(view)) {}

  const engine::Universe& universe() const override { return view_.universe(); }
  Result<engine::RepositoryInfo> Info() override { return store_->Info(); }

  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity) override {
    return view_.FindDataset(dataset_type, data_id, collections, validity);
  }
  Result<std::vector<engine::DatasetRef>> SearchDatasets(
      const service::DatasetSearchQuery& search) override {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch s, service::ToEngine(search));
    return view_.QueryDatasets(s);
  }
  Status ForEachSearched(const service::DatasetSearchQuery& search,
                         const engine::RegistryView::DatasetFn& fn) override {
    STARLOG_ASSIGN_OR_RETURN(engine::DatasetSearch s, service::ToEngine(search));
    return view_.ForEachDataset(s, fn);
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
  Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) override {
    return service::Answer(view_, query);
  }
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) override {
    return service::Answer(view_, query);
  }
  Status ForEachDataId(const service::DataIdsQuery& query,
                       const engine::RegistryView::FieldMapFn& fn) override {
    return service::ForEachRow(view_, query, fn);
  }
  Status ForEachDimensionRecord(const service::DimensionRecordsQuery& query,
                                const engine::RegistryView::FieldMapFn& fn) override {
    return service::ForEachRow(view_, query, fn);
  }
  Result<engine::DatasetRef> WaitForDataset(const std::string& dataset_type,
                                            const codec::FieldMap& data_id,
                                            const std::vector<std::string>& collections,
                                            std::optional<codec::Timespan> validity,
                                            std::chrono::milliseconds timeout) override {
    return engine::WaitForDataset(*store_, dataset_type, data_id, collections, validity, timeout);
  }

 private:
  std::unique_ptr<engine::EventStore> store_;
  engine::RegistryView view_;  // Must not outlive store_.
};

// The service: every call after the first reads at the sequence the first
// was answered at, as one local view would.
class ServiceReader final : public Reader {
 public:
  ServiceReader(std::unique_ptr<service::Client> client, engine::Universe universe,
                uint64_t sequence)
      : client_(std::move(client)), universe_(std::move(universe)), sequence_(sequence) {}

  const engine::Universe& universe() const override { return universe_; }
  Result<engine::RepositoryInfo> Info() override {
    STARLOG_ASSIGN_OR_RETURN(service::ServiceInfo info, client_->Info());
    return engine::RepositoryInfo{info.root, info.repository_id, info.format_version, info.head,
                                  std::move(info.families)};
  }

  Result<engine::DatasetRef> FindDataset(const std::string& dataset_type,
                                         const codec::FieldMap& data_id,
                                         const std::vector<std::string>& collections,
                                         std::optional<codec::Timespan> validity) override {
    return client_->FindDataset(dataset_type, data_id, collections, validity, At());
  }
  Result<std::vector<engine::DatasetRef>> SearchDatasets(
      const service::DatasetSearchQuery& search) override {
    return client_->SearchDatasets(search, At());
  }
  Result<std::vector<engine::CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types) override {
    return client_->QueryCollections(patterns, types, At());
  }
  Result<std::optional<engine::CollectionInfo>> GetCollection(const std::string& name) override {
    return client_->GetCollection(name, At());
  }
  Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names) override {
    return client_->ResolveSearchPath(names, At());
  }
  Result<std::vector<engine::DatasetTypeInfo>> QueryDatasetTypes(
      const std::vector<std::string>& patterns, bool components) override {
    return client_->QueryDatasetTypes(patterns, components, At());
  }
  Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) override {
    return client_->DatasetTypesIn(collections, At());
  }
  Result<std::vector<codec::FieldMap>> QueryDataIds(const service::DataIdsQuery& query) override {
    return client_->QueryDataIds(query, At());
  }
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(
      const service::DimensionRecordsQuery& query) override {
    return client_->QueryDimensionRecords(query, At());
  }
  Result<engine::DatasetRef> WaitForDataset(const std::string& dataset_type,
                                            const codec::FieldMap& data_id,
                                            const std::vector<std::string>& collections,
                                            std::optional<codec::Timespan> validity,
                                            std::chrono::milliseconds timeout) override {
    return client_->WaitForDataset(dataset_type, data_id, collections, validity, timeout);
  }

 private:
  service::ReadOptions At() const { return {std::to_string(sequence_), 0, nullptr}; }

  std::unique_ptr<service::Client> client_;
  engine::Universe universe_;
  uint64_t sequence_;
};

}  // namespace

Result<std::unique_ptr<Reader>> Reader::Open(const ParsedArgs& args, Mode mode) {
  STARLOG_ASSIGN_OR_RETURN(std::unique_ptr<service::Client> client, ConnectNamedService(args));
  if (client != nullptr) {
    engine::Universe universe = engine::Universe::Default();
    uint64_t sequence = 0;
    if (mode != Mode::kInfo) {
      service::ReadOptions read;
      if (mode == Mode::kView) read.as_of = args.GetOr("as-of", "");
      read.sequence = &sequence;
      STARLOG_ASSIGN_OR_RETURN(universe, client->GetUniverse(read));
    }
    return std::unique_ptr<Reader>(
        new ServiceReader(std::move(client), std::move(universe), sequence));
  }
  std::unique_ptr<engine::EventStore> store;
  if (mode == Mode::kFollow) {
    engine::StoreOptions options;
    options.follow = true;  // Woken by the writer's commits.
    STARLOG_ASSIGN_OR_RETURN(store, engine::EventStore::Open(args.positional(0), options));
  } else {
    STARLOG_ASSIGN_OR_RETURN(store, OpenForRead(args));
  }
  auto view = mode == Mode::kView ? ViewAt(args, *store) : store->View();
  if (!view.ok()) return view.status();
  return std::unique_ptr<Reader>(new LocalReader(std::move(store), std::move(*view)));
}

}  // namespace starlog::cli
