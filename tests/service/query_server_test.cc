// Reads through the service, in this process: each query answers as a local
// view does, results larger than a page come in pages, wait is woken by a
// commit and ends with its client or the server, and readers never see half
// of a commit while many writers commit.

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "service/requests.h"
#include "starlog/codec/data_id.h"
#include "starlog/service/client.h"
#include "starlog/service/server.h"
#include "tests/service/raw_connection.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::service;
using Clock = std::chrono::steady_clock;

namespace {

codec::DatasetEntry Entry(int64_t detector) {
  return {codec::RandomUuidV4(), {{"instrument", std::string("HSC")}, {"detector", detector}}, {}};
}

codec::Certify CertifyAll(const std::vector<codec::DatasetEntry>& entries, codec::Timespan span) {
  codec::Certify c{"calib", "bias", {}};
  for (const auto& e : entries) c.entries.push_back({e.id, span});
  return c;
}

// A populated repository, created here and then served from a thread:
// detectors 0..detectors-1, raws in run "a" and "b" behind chain "chain",
// biases certified in "calib" over [1000, 2000) and [2000, end).
class QueryServer {
 public:
  explicit QueryServer(int detectors = 4, bool sync = false) {
    root_ = dir_.Sub("repo");
    engine::CreateOptions create;
    create.actor = "admin";
    create.store.sync = false;
    auto store = engine::EventStore::Create(root_, create);
    REQUIRE(store.ok());
    std::vector<codec::FieldMap> records;
    std::vector<codec::DatasetEntry> a, b, bias1, bias2;
    for (int64_t d = 0; d < detectors; ++d) {
      records.push_back({{"instrument", std::string("HSC")}, {"detector", d}});
      a.push_back(Entry(d));
      if (d % 2 == 0) b.push_back(Entry(d));
      bias1.push_back(Entry(d));
      if (d == 0) bias2.push_back(Entry(d));
    }
    std::vector<codec::EventBody> bodies = {
        codec::InsertDimensionRecords{"instrument", {{{"instrument", std::string("HSC")}}}},
        codec::InsertDimensionRecords{"detector", records},
        // Exposures 1 and 2, inside bias1's and bias2's validity, through HSC-R.
        codec::InsertDimensionRecords{"band", {{{"band", std::string("r")}}}},
        codec::InsertDimensionRecords{"physical_filter",
                                      {{{"instrument", std::string("HSC")},
                                        {"physical_filter", std::string("HSC-R")},
                                        {"band", std::string("r")}}}},
        codec::InsertDimensionRecords{"exposure",
                                      {{{"instrument", std::string("HSC")},
                                        {"exposure", int64_t{1}},
                                        {"physical_filter", std::string("HSC-R")},
                                        {"timespan_begin", int64_t{1100}},
                                        {"timespan_end", int64_t{1200}}},
                                       {{"instrument", std::string("HSC")},
                                        {"exposure", int64_t{2}},
                                        {"physical_filter", std::string("HSC-R")},
                                        {"timespan_begin", int64_t{2100}},
                                        {"timespan_end", int64_t{2200}}}}},
        codec::RegisterDatasetType{"raw", {"instrument", "detector"}, "ExposureF", false},
        codec::RegisterDatasetType{"bias", {"instrument", "detector"}, "ExposureF", true},
        codec::CreateCollection{"a", codec::CollectionType::kRun, "run a"},
        codec::CreateCollection{"b", codec::CollectionType::kRun, ""},
        codec::RegisterDatasets{"a", "raw", a},
        codec::CreateCollection{"chain", codec::CollectionType::kChained, ""},
        codec::SetChain{"chain", {"b", "a"}},
    };
    REQUIRE((*store)->AppendAll(std::move(bodies), "admin").ok());
    past_ = (*store)->head().sequence;  // Before "b" has datasets.
    bodies = {
        codec::RegisterDatasets{"b", "raw", b},
        codec::CreateCollection{"bias1", codec::CollectionType::kRun, ""},
        codec::CreateCollection{"bias2", codec::CollectionType::kRun, ""},
        codec::RegisterDatasets{"bias1", "bias", bias1},
        codec::RegisterDatasets{"bias2", "bias", bias2},
        codec::CreateCollection{"calib", codec::CollectionType::kCalibration, ""},
        CertifyAll(bias1, {1000, 2000}),
        CertifyAll(bias2, {2000, codec::kUnboundedEnd}),
    };
    REQUIRE((*store)->AppendAll(std::move(bodies), "admin").ok());
    store->reset();
    ServerOptions options;
    options.root = root_;
    options.store.sync = sync;
    auto started = Server::Start(options);
    INFO(started.status().ToString());
    REQUIRE(started.ok());
    server_ = std::move(*started);
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~QueryServer() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }
  std::unique_ptr<Client> Connect() {
    auto client = Client::Connect(server_->socket_path());
    REQUIRE(client.ok());
    return std::move(*client);
  }
  // The same repository opened read-only beside the service.
  engine::RegistryView LocalView(uint64_t as_of = engine::kAtHead) {
    if (local_ == nullptr) {
      engine::StoreOptions options;
      options.read_only = true;
      auto store = engine::EventStore::Open(root_, options);
      REQUIRE(store.ok());
      local_ = std::move(*store);
    }
    return local_->View(as_of).value();
  }
  Server& server() { return *server_; }
  uint64_t past() const { return past_; }

 private:
  testutil::TempDir dir_;
  std::string root_;
  uint64_t past_ = 0;
  std::unique_ptr<engine::EventStore> local_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

std::string Show(const engine::DatasetRef& r) {
  std::string out = r.id.ToString() + " " + r.dataset_type + " " + r.run + " " +
                    codec::FieldMapToString(r.data_id) + " in " + r.collection;
  if (r.artifact) out += " file " + r.artifact->path;
  if (r.validity) {
    out += " [" + std::to_string(r.validity->begin) + ", " + std::to_string(r.validity->end) + ")";
  }
  if (!r.implied.empty()) out += " implied " + codec::FieldMapToString(r.implied);
  if (!r.joined.empty()) out += " joined " + codec::FieldMapToString(r.joined);
  return out;
}
std::string Show(const engine::CollectionInfo& c) {
  std::string out = c.name + " " + std::to_string(static_cast<int>(c.type)) + " " + c.doc;
  for (const auto& child : c.children) out += " " + child;
  return out;
}
std::string Show(const engine::DatasetTypeInfo& t) {
  std::string out = t.name + " " + t.storage_class + (t.is_calibration ? " calib" : "");
  for (const auto& d : t.dimensions) out += " " + d;
  return out;
}
std::string Show(const codec::FieldMap& f) { return codec::FieldMapToString(f); }
std::string Show(const std::string& s) { return s; }
template <typename T>
std::string Show(const std::optional<T>& v) {
  return v ? Show(*v) : "none";
}
template <typename T>
std::string Show(const std::vector<T>& rows) {
  std::string out;
  for (const auto& r : rows) out += Show(r) + "\n";
  return out;
}

// The answer, or the status as the CLI would print it.
template <typename T>
std::string Show(const Result<T>& r) {
  return r.ok() ? Show(*r) : "error: " + r.status().ToString();
}

const codec::FieldMap kDetector0 = {{"instrument", std::string("HSC")}, {"detector", int64_t{0}}};

}  // namespace

TEST_CASE("Each query through the service answers as a local view does", "[service][query]") {
  QueryServer served;
  auto client = served.Connect();
  const auto view = served.LocalView();
  const auto past = served.LocalView(served.past());
  const ReadOptions at_past{std::to_string(served.past()), 0, nullptr};
  const auto where = [](const std::string& text, engine::WhereBinds binds = {}) {
    return WhereText{text, std::move(binds)};
  };
  const auto parsed = [](const WhereText& w) {
    return engine::WhereClause::Parse(w.text, w.binds).value();
  };
  const auto engine_query = [&](const DatasetsQuery& q) {
    return engine::DatasetQuery{q.dataset_type, q.collections, parsed(q.where), q.find_first,
                                q.validity};
  };

  CHECK(Show(client->FindDataset("raw", kDetector0, {"chain"})) ==
        Show(view.FindDataset("raw", kDetector0, {"chain"})));
  CHECK(Show(client->FindDataset("raw", kDetector0, {"chain"}, std::nullopt, at_past)) ==
        Show(past.FindDataset("raw", kDetector0, {"chain"})));
  for (int64_t t : {int64_t{1500}, int64_t{2500}, int64_t{500}}) {
    const codec::Timespan at{t, t + 1};
    CHECK(Show(client->FindDataset("bias", kDetector0, {"calib"}, at)) ==
          Show(view.FindDataset("bias", kDetector0, {"calib"}, at)));
  }
  // Two ranges overlap the span: Conflict, worded alike.
  const codec::Timespan both{1500, 2500};
  CHECK(Show(client->FindDataset("bias", kDetector0, {"calib"}, both)) ==
        Show(view.FindDataset("bias", kDetector0, {"calib"}, both)));
  CHECK(Show(client->FindDataset("raw", kDetector0, {"nope"})) ==
        Show(view.FindDataset("raw", kDetector0, {"nope"})));

  const std::vector<DatasetsQuery> queries = {
      {"raw", {"chain"}, {}, true, std::nullopt},
      {"raw", {"chain"}, {}, false, std::nullopt},
      {"raw", {"*"}, where("detector IN (1..2) OR detector = d", {{"d", int64_t{3}}}), true, {}},
      {"raw", {"chain"}, where("nope = 1"), true, std::nullopt},
      {"raw.wcs", {"chain"}, {}, true, std::nullopt},
      {"bias", {"calib"}, {}, true, codec::Timespan{1500, 1501}},
      {"bias", {"calib"}, {}, true, std::nullopt},
      // A temporal join: a bias per exposure and detector, the exposure in "joined".
      {"bias", {"calib"}, where("exposure IN (1, 2) AND detector = 0"), true, std::nullopt},
  };
  for (const auto& q : queries) {
    INFO(q.dataset_type << " where " << q.where.text);
    CHECK(Show(client->QueryDatasets(q)) == Show(view.QueryDatasets(engine_query(q))));
    CHECK(Show(client->QueryDatasets(q, at_past)) == Show(past.QueryDatasets(engine_query(q))));
  }
  // A clause that does not parse is refused by the service as the parser words it.
  CHECK(Show(client->QueryDatasets({"raw", {"chain"}, where("detector = ("), true, {}})) ==
        "error: " + engine::WhereClause::Parse("detector = (").status().ToString());

  CHECK(Show(client->QueryCollections({})) == Show(view.QueryCollections({})));
  CHECK(Show(client->QueryCollections({"b*", "c*"}, {codec::CollectionType::kChained})) ==
        Show(view.QueryCollections({"b*", "c*"}, {codec::CollectionType::kChained})));
  CHECK(Show(client->QueryCollections({}, {}, at_past)) == Show(past.QueryCollections({})));
  CHECK(Show(client->GetCollection("chain")) == Show(view.GetCollection("chain")));
  CHECK(Show(client->GetCollection("nope")) == "none");
  CHECK(Show(client->ResolveSearchPath({"chain", "calib"})) ==
        Show(view.ResolveSearchPath({"chain", "calib"})));
  CHECK(Show(client->ResolveSearchPath({"nope"})) == Show(view.ResolveSearchPath({"nope"})));
  CHECK(Show(client->DatasetTypesIn({"chain", "calib"})) ==
        Show(view.DatasetTypesIn({"chain", "calib"})));
  CHECK(Show(client->DatasetTypesIn({"chain"}, at_past)) == Show(past.DatasetTypesIn({"chain"})));
  CHECK(Show(client->DatasetTypesIn({"nope"})) == Show(view.DatasetTypesIn({"nope"})));
  CHECK(Show(client->QueryDatasetTypes({}, true)) == Show(view.QueryDatasetTypes({}, true)));
  CHECK(Show(client->QueryDatasetTypes({"b*"})) == Show(view.QueryDatasetTypes({"b*"})));

  // Protocol version 3: rows carry implied values and a join's data ID.
  auto joined = client->QueryDatasets(queries.back());
  REQUIRE(joined.ok());
  REQUIRE(joined->size() == 2);
  CHECK((*joined)[0].joined.at("physical_filter") == codec::FieldValue(std::string("HSC-R")));
  auto expanded = client->QueryDataIds({"exposure"}, where("exposure = 2"));
  REQUIRE(expanded.ok());
  REQUIRE(expanded->size() == 1);
  CHECK(expanded->front().at("band") == codec::FieldValue(std::string("r")));

  const WhereText odd = where("detector IN (1, 3)");
  CHECK(Show(client->QueryDataIds({"detector"}, odd)) ==
        Show(view.QueryDataIds({"detector"}, parsed(odd))));
  const DatasetsQuery in_b{"raw", {"b"}, {}, true, std::nullopt};
  CHECK(Show(client->QueryDataIds({"detector"}, {}, in_b)) ==
        Show(view.QueryDataIds({"detector"}, {}, engine_query(in_b))));
  CHECK(Show(client->QueryDataIds({"detector"}, {}, in_b, at_past)) ==
        Show(past.QueryDataIds({"detector"}, {}, engine_query(in_b))));
  CHECK(Show(client->QueryDimensionRecords("detector", odd)) ==
        Show(view.QueryDimensionRecords("detector", parsed(odd))));
  CHECK(Show(client->QueryDimensionRecords("nope", {})) ==
        Show(view.QueryDimensionRecords("nope", {})));

  // In bulk, in the order asked, a missing id as none.
  auto all = view.QueryDatasets({"raw", {"a", "b"}, {}, false, std::nullopt}).value();
  std::vector<codec::Uuid> ids = {all[2].id, codec::RandomUuidV4(), all[0].id};
  auto got = client->GetDatasets(ids);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 3);
  CHECK(Show((*got)[0]) == Show(view.GetDataset(ids[0]).value()));
  CHECK_FALSE((*got)[1].has_value());
  CHECK(Show((*got)[2]) == Show(view.GetDataset(ids[2]).value()));

  // As-of points resolve as --as-of does, errors included.
  uint64_t sequence = 0;
  CHECK(client->GetUniverse({"", 0, &sequence}).ok());
  CHECK(sequence == view.sequence());
  auto beyond = client->QueryCollections({}, {}, {"999999", 0, nullptr});
  CHECK(beyond.status().IsInvalidArgument());
  CHECK(client->QueryCollections({}, {}, {"no-such-snapshot", 0, nullptr}).status().IsNotFound());
}

TEST_CASE("A result larger than a page comes in pages, all of it, read at one sequence",
          "[service][query]") {
  QueryServer served(20'000);
  auto client = served.Connect();
  const DatasetsQuery everything{"raw", {"a"}, {}, true, std::nullopt};
  size_t pages = 0;
  size_t rows = 0;
  uint64_t sequence = 0;
  REQUIRE(client
              ->QueryDatasetsPaged(everything,
                                   [&](std::vector<engine::DatasetRef> page) {
                                     ++pages;
                                     rows += page.size();
                                     return Status::OK();
                                   },
                                   {"", 0, &sequence})
              .ok());
  CHECK(rows == 20'000);
  CHECK(pages > 1);  // 20,000 rows of ~150 bytes: more than one 1 MiB page.
  CHECK(sequence == served.LocalView().sequence());
  const auto local = served.LocalView().QueryDatasets({"raw", {"a"}, {}, true, std::nullopt});
  CHECK(Show(client->QueryDatasets(everything)) == Show(local));

  // A tiny page size: 20,000 / 7 pages.
  pages = 0;
  REQUIRE(client
              ->QueryDatasetsPaged(everything,
                                   [&](std::vector<engine::DatasetRef> page) {
                                     CHECK(page.size() <= 7);
                                     ++pages;
                                     return Status::OK();
                                   },
                                   {"", 7, nullptr})
              .ok());
  CHECK(pages == (20'000 + 6) / 7);

  // A caller that stops early drops the rest; the connection stays usable.
  Status stopped = client->QueryDatasetsPaged(
      everything, [](std::vector<engine::DatasetRef>) { return Status::Conflict("enough"); },
      {"", 100, nullptr});
  CHECK(stopped.IsConflict());
  CHECK(client->QueryCollections({}).ok());
}

TEST_CASE("Unfinished results are bounded per user and in time, and owned", "[service][query]") {
  testutil::TempDir dir;
  engine::CreateOptions create;
  create.store.sync = false;
  auto store = engine::EventStore::Create(dir.Sub("repo"), create);
  REQUIRE(store.ok());
  REQUIRE((*store)
              ->AppendAll({codec::CreateCollection{"a", codec::CollectionType::kRun, ""},
                           codec::CreateCollection{"b", codec::CollectionType::kRun, ""}},
                          "admin")
              .ok());
  RequestOptions limits;
  limits.max_cursors = 3;
  limits.max_cursors_per_user = 2;
  limits.cursor_timeout = std::chrono::milliseconds(300);
  Requests requests(**store, limits);
  const auto first_page = [&](const std::string& user) {
    QueryRequest q{"", 1, CollectionsQuery{}};
    auto reply = requests.Handle(q, user, nullptr);
    REQUIRE(reply.ok());
    const auto& page = std::get<QueryReply>(*reply);
    CHECK(page.remaining == 1);
    return page.cursor;
  };
  const auto more = [&](uint64_t cursor, const std::string& user) {
    auto reply = requests.Handle(MoreRequest{cursor, false}, user, nullptr);
    REQUIRE(reply.ok());
    if (const auto* s = std::get_if<StatusReply>(&*reply)) return s->status;
    CHECK(std::get<QueryReply>(*reply).remaining == 0);
    return Status::OK();
  };
  const uint64_t a1 = first_page("alice");
  const uint64_t a2 = first_page("alice");
  CHECK(more(a2, "bob").IsNotFound());      // Not bob's.
  const uint64_t a3 = first_page("alice");  // Drops a1, alice's oldest.
  CHECK(requests.cursors() == 2);
  CHECK(more(a1, "alice").IsNotFound());
  CHECK(more(a2, "alice").ok());
  CHECK(more(a2, "alice").IsNotFound());  // Finished.
  first_page("bob");
  first_page("carol");  // Three in all: a3, bob's, carol's.
  CHECK(requests.cursors() == 3);
  first_page("dave");  // Drops the oldest of all, a3.
  CHECK(more(a3, "alice").IsNotFound());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  first_page("erin");  // The expired go first.
  CHECK(requests.cursors() == 1);

  // And the rows they hold: two results of a page and one more row each fit
  // in twice a row's bound, not three.
  RequestOptions small;
  small.max_cursor_bytes =
      2 * EncodedSizeBound(
              std::vector<engine::CollectionInfo>{{"b", codec::CollectionType::kRun, "", {}}}, 0);
  Requests tight(**store, small);
  QueryRequest q{"", 1, CollectionsQuery{}};
  std::vector<uint64_t> ids;
  for (const char* user : {"alice", "bob", "carol"}) {
    auto reply = tight.Handle(q, user, nullptr);
    REQUIRE(reply.ok());
    ids.push_back(std::get<QueryReply>(*reply).cursor);
  }
  CHECK(tight.cursors() == 2);
  CHECK(std::holds_alternative<StatusReply>(
      tight.Handle(MoreRequest{ids[0], false}, "alice", nullptr).value()));
  CHECK(std::holds_alternative<QueryReply>(
      tight.Handle(MoreRequest{ids[2], false}, "carol", nullptr).value()));
}

TEST_CASE("wait through the service is woken by another client's commit, or times out",
          "[service][wait]") {
  QueryServer served;
  auto waiter = served.Connect();
  auto writer = served.Connect();
  const codec::FieldMap detector1 = {{"instrument", std::string("HSC")}, {"detector", int64_t{1}}};
  const auto start = Clock::now();
  std::atomic<bool> committed{false};  // Catch2 asserts on one thread only.
  std::thread commit([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    engine::AppendEdit edit;
    edit.bodies = {codec::CreateCollection{"late", codec::CollectionType::kRun, ""},
                   codec::RegisterDatasets{"late", "raw", {Entry(1)}}};
    committed = writer->Submit(edit).ok();
  });
  auto found =
      waiter->WaitForDataset("raw", detector1, {"late"}, std::nullopt, std::chrono::seconds(60));
  commit.join();
  CHECK(committed.load());
  INFO(found.status().ToString());
  REQUIRE(found.ok());
  CHECK(found->run == "late");
  CHECK(Clock::now() - start < std::chrono::seconds(30));  // Well before its timeout.

  const codec::FieldMap detector3 = {{"instrument", std::string("HSC")}, {"detector", int64_t{3}}};
  auto none = waiter->WaitForDataset("raw", detector3, {"late"}, std::nullopt,
                                     std::chrono::milliseconds(300));
  INFO(none.status().ToString());
  CHECK(none.status().IsTimedOut());
}

TEST_CASE("Stopping the server ends a wait at once", "[service][wait]") {
  QueryServer served;
  auto waiter = served.Connect();
  Result<engine::DatasetRef> result = Status::OK();
  std::thread wait([&] {
    result = waiter->WaitForDataset("raw", kDetector0, {"never"}, std::nullopt,
                                    std::chrono::seconds(120));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = Clock::now();
  served.Stop();
  CHECK(Clock::now() - start < std::chrono::seconds(10));
  wait.join();
  INFO(result.status().ToString());
  CHECK(result.status().IsUnavailable());
}

TEST_CASE("A client gone while it waits frees its session soon", "[service][wait]") {
  QueryServer served;
  {
    testutil::RawConnection raw(served.server().socket_path());
    REQUIRE(raw.Hello());
    REQUIRE(raw.Send(
        WaitRequest{"raw", kDetector0, {"never"}, std::nullopt, std::chrono::seconds(600)}));
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (served.server().sessions() != 1 && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(served.server().sessions() == 1);
  }  // Closed, as a killed process's socket is.
  const auto start = Clock::now();
  while (served.server().sessions() != 0 && Clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(served.server().sessions() == 0);
  CHECK(Clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("Readers never see half of a commit while 64 writers commit", "[service][query]") {
  QueryServer served(4, /*sync=*/true);
  constexpr int kWriters = 64;
  constexpr int kEdits = 4;
  std::atomic<int> writing{kWriters};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::atomic<int> failed{0};  // Catch2 asserts on one thread only.
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      auto connected = Client::Connect(served.server().socket_path());
      if (!connected.ok()) {
        ++failed;
        return;
      }
      auto& reader = *connected;
      do {
        auto found = reader->QueryCollections({"g*"});
        if (!found.ok()) {
          ++failed;
          break;
        }
        std::set<std::string> names;
        for (const auto& c : found.value()) names.insert(c.name);
        // Each edit creates "<x>-a" and "<x>-b" together.
        for (const auto& n : names) {
          const std::string pair = n.substr(0, n.size() - 1) + (n.back() == 'a' ? "b" : "a");
          if (names.count(pair) == 0) ++torn;
        }
        ++reads;
      } while (writing.load() > 0);
    });
  }
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto connected = Client::Connect(served.server().socket_path());
      for (int e = 0; connected.ok() && e < kEdits; ++e) {
        auto& writer = *connected;
        const std::string base = "g" + std::to_string(w) + "-" + std::to_string(e) + "-";
        engine::AppendEdit edit;
        edit.bodies = {codec::CreateCollection{base + "a", codec::CollectionType::kRun, ""},
                       codec::CreateCollection{base + "b", codec::CollectionType::kRun, ""}};
        if (!writer->Submit(edit).ok()) ++failed;
      }
      if (!connected.ok()) ++failed;
      --writing;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed.load() == 0);
  CHECK(torn.load() == 0);
  CHECK(reads.load() > 0);
  auto client = served.Connect();
  CHECK(client->QueryCollections({"g*"}).value().size() == 2 * kWriters * kEdits);
}

TEST_CASE("A client that sends a reply, or asks for another's result, is refused",
          "[service][query]") {
  QueryServer served;
  {
    testutil::RawConnection raw(served.server().socket_path());
    REQUIRE(raw.Hello());
    REQUIRE(raw.Send(QueryReply{1, std::vector<std::string>{"x"}, 0, 0}));
    CHECK(raw.Refusal().IsInvalidArgument());
  }
  {
    // A cursor never issued is answered, and the connection goes on.
    testutil::RawConnection raw(served.server().socket_path());
    REQUIRE(raw.Hello());
    REQUIRE(raw.Send(MoreRequest{12345, false}));
    auto reply = raw.Receive();
    REQUIRE(reply.has_value());
    CHECK(testutil::StatusOf(*reply).IsNotFound());
    REQUIRE(raw.Send(QueryRequest{"", 0, UniverseQuery{}}));
    reply = raw.Receive();
    REQUIRE(reply.has_value());
    CHECK(std::holds_alternative<QueryReply>(*reply));
  }
}
