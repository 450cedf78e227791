// The service protocol's messages: every one round-trips, and decoding
// refuses what a hostile client could send.

#include "starlog/service/protocol.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "service/service_generated.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/frame.h"

using namespace starlog;
using namespace starlog::service;

namespace {

namespace fbs = service::fb;

std::string Encode(const Message& message) {
  std::string out;
  REQUIRE(AppendMessage(message, &out).ok());
  return out;
}

Message RoundTrip(const Message& message) {
  const std::string bytes = Encode(message);
  auto decoded = DecodeMessage(bytes);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  CHECK(Encode(*decoded) == bytes);
  return std::move(*decoded);
}

// Frames a hand-built payload as message "type".
std::string Frame(flatbuffers::FlatBufferBuilder& b, MessageType type) {
  std::string out;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(type),
                                {reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()},
                                &out)
              .ok());
  return out;
}

std::string EditFrame(flatbuffers::FlatBufferBuilder& b, fbs::Edit type,
                      flatbuffers::Offset<void> edit) {
  auto request = fbs::CreateEditRequest(b, type, edit);
  b.Finish(fbs::CreateMessage(b, fbs::Body_EditRequest, request.Union()));
  return Frame(b, MessageType::kEdit);
}

}  // namespace

TEST_CASE("Every service message round-trips", "[service][protocol]") {
  Hello hello;
  hello.repository_id = codec::RandomUuidV4();
  hello.user = "nobody";
  auto h = std::get<Hello>(RoundTrip(hello));
  CHECK(h.version == kServiceProtocolVersion);
  CHECK(h.repository_id == hello.repository_id);
  CHECK(h.user == "nobody");
  CHECK(std::get<Hello>(RoundTrip(Hello{})).repository_id.IsNil());

  engine::AppendEdit append;
  append.bodies.push_back(codec::CreateCollection{"run", codec::CollectionType::kRun, "doc"});
  append.bodies.push_back(codec::SetChain{"chain", {"run"}});
  auto a = std::get<engine::AppendEdit>(std::get<EditRequest>(RoundTrip(EditRequest{append})).edit);
  CHECK(a.bodies == append.bodies);
  CHECK(std::get<EditRequest>(RoundTrip(EditRequest{append})).act_for.empty());
  CHECK(std::get<EditRequest>(RoundTrip(EditRequest{append, "alice"})).act_for == "alice");

  auto ensure = std::get<engine::EnsureCollectionEdit>(
      std::get<EditRequest>(RoundTrip(EditRequest{engine::EnsureCollectionEdit{
                                "t", codec::CollectionType::kTagged, std::nullopt}}))
          .edit);
  CHECK(ensure.type == codec::CollectionType::kTagged);
  CHECK_FALSE(ensure.doc.has_value());
  CHECK(std::get<engine::EnsureCollectionEdit>(
            std::get<EditRequest>(RoundTrip(EditRequest{engine::EnsureCollectionEdit{
                                      "t", codec::CollectionType::kRun, std::string()}}))
                .edit)
            .doc == std::string());

  CHECK(std::get<engine::RemoveRunsEdit>(
            std::get<EditRequest>(RoundTrip(EditRequest{engine::RemoveRunsEdit{{"a", "b*"}}})).edit)
            .patterns == std::vector<std::string>{"a", "b*"});
  auto removal = std::get<engine::RemoveCollectionsEdit>(
      std::get<EditRequest>(
          RoundTrip(EditRequest{engine::RemoveCollectionsEdit{{"t*", "c"}, true}}))
          .edit);
  CHECK(removal.patterns == std::vector<std::string>{"t*", "c"});
  CHECK(removal.remove_from_parents);

  engine::ChainEditEdit chain{"c", engine::ChainEdit::kPop, {"0", "-1"}, "a chain", true};
  auto c =
      std::get<engine::ChainEditEdit>(std::get<EditRequest>(RoundTrip(EditRequest{chain})).edit);
  CHECK(c.chain == "c");
  CHECK(c.edit == engine::ChainEdit::kPop);
  CHECK(c.names == chain.names);
  CHECK(c.doc == "a chain");
  CHECK(c.flatten);

  auto role = std::get<engine::PolicyRoleEdit>(
      std::get<EditRequest>(RoundTrip(EditRequest{engine::PolicyRoleEdit{"admin", "ann", false}}))
          .edit);
  CHECK(role.role == "admin");
  CHECK(role.user == "ann");
  CHECK_FALSE(role.grant);

  engine::PruneEdit prune{{codec::RandomUuidV4(), codec::RandomUuidV4()},
                          engine::PruneMode::kPurge};
  auto p = std::get<engine::PruneEdit>(std::get<EditRequest>(RoundTrip(EditRequest{prune})).edit);
  CHECK(p.ids == prune.ids);
  CHECK(p.mode == engine::PruneMode::kPurge);

  CHECK(std::holds_alternative<InfoRequest>(RoundTrip(InfoRequest{})));

  auto status = std::get<StatusReply>(RoundTrip(StatusReply{Status::Conflict("'x' exists")}));
  CHECK(status.status.IsConflict());
  CHECK(status.status.message() == "'x' exists");

  engine::EditResult result;
  result.head.sequence = 42;
  result.head.chain_hash = {1, 2};
  result.head.state_digest = {3, 4};
  result.head.commit_time_ns = 5;
  result.first = 40;
  result.names = {"a", "b"};
  result.created = true;
  result.datasets = 6;
  result.files_deleted = 7;
  result.file_errors = {"gone"};
  auto r = std::get<EditReply>(RoundTrip(EditReply{result})).result;
  CHECK(r.head.sequence == 42);
  CHECK(r.head.chain_hash == codec::Hash128{1, 2});
  CHECK(r.head.state_digest == codec::Hash128{3, 4});
  CHECK(r.head.commit_time_ns == 5);
  CHECK(r.first == 40);
  CHECK(r.names == result.names);
  CHECK(r.created);
  CHECK(r.datasets == 6);
  CHECK(r.files_deleted == 7);
  CHECK(r.file_errors == result.file_errors);

  ServiceInfo info{codec::RandomUuidV4(), result.head, "/data/repo", 1, {{"log", 7, {8, 9}}}};
  auto i = std::get<InfoReply>(RoundTrip(InfoReply{info})).info;
  CHECK(i.repository_id == info.repository_id);
  CHECK(i.head.sequence == 42);
  CHECK(i.root == "/data/repo");
  CHECK(i.format_version == 1);
  REQUIRE(i.families.size() == 1);
  CHECK(i.families[0].name == "log");
  CHECK(i.families[0].live_entries == 7);
  CHECK(i.families[0].digest == codec::Hash128{8, 9});
}

TEST_CASE("Every query, page of rows, more and wait round-trips", "[service][protocol]") {
  const codec::FieldMap data_id = {{"instrument", std::string("HSC")}, {"detector", int64_t{-5}}};
  const WhereText where{"detector = d AND band = b", {{"d", int64_t{3}}, {"b", std::string("r")}}};
  const DatasetsQuery datasets{"calexp.wcs", {"a", "b*"}, where, false, codec::Timespan{1, 2}};
  const std::vector<Query> queries = {
      FindDatasetQuery{"bias", data_id, {"calib"}, codec::Timespan{codec::kUnboundedBegin, 9}},
      FindDatasetQuery{"raw", {}, {}, std::nullopt},
      datasets,
      DatasetsQuery{"raw", {}, {}, true, std::nullopt},
      CollectionsQuery{{"u/*"}, {codec::CollectionType::kChained, codec::CollectionType::kRun}},
      DatasetTypesQuery{{"calexp"}, true},
      DataIdsQuery{{"exposure", "detector"}, where, datasets},
      DataIdsQuery{{"band"}, {}, std::nullopt},
      DimensionRecordsQuery{"exposure", where},
      GetDatasetsQuery{{codec::RandomUuidV4(), codec::RandomUuidV4()}},
      GetCollectionQuery{"chain"},
      SearchPathQuery{{"chain", "run"}},
      UniverseQuery{},
      SnapshotsQuery{},
      DatasetTypesInQuery{{"HSC/defaults", "u/*"}},
      DatasetSearchQuery{{"raw", "cal*"}, datasets, {"-exposure", "band"}, 20001},
      DatasetSearchQuery{{}, DatasetsQuery{"", {"a"}, {}, true, std::nullopt}},
      DataIdsQuery{{"detector"}, where, std::nullopt, {{"-detector.full_name", "band"}, 20001}},
      DimensionRecordsQuery{"exposure", where, {{"-timespan.begin"}, 5}},
  };
  for (const Query& query : queries) {
    INFO("query " << query.index());
    auto q = std::get<QueryRequest>(RoundTrip(QueryRequest{"before-more", 7, query}));
    CHECK(q.as_of == "before-more");
    CHECK(q.page_rows == 7);
    CHECK(q.query.index() == query.index());
  }
  auto d = std::get<DataIdsQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[6]})).query);
  CHECK(d.where.text == where.text);
  CHECK(d.where.binds == where.binds);
  REQUIRE(d.datasets.has_value());
  CHECK(d.datasets->collections == datasets.collections);
  CHECK_FALSE(d.datasets->find_first);
  CHECK(d.datasets->validity == datasets.validity);
  auto search = std::get<DatasetSearchQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[15]})).query);
  CHECK(search.dataset_types == std::vector<std::string>{"raw", "cal*"});
  CHECK(search.order_by == std::vector<std::string>{"-exposure", "band"});
  CHECK(search.limit == 20001);
  CHECK(search.query.collections == datasets.collections);
  CHECK(search.query.where.text == where.text);
  CHECK_FALSE(search.query.find_first);
  auto every = std::get<DatasetSearchQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[16]})).query);
  CHECK(every.dataset_types.empty());
  CHECK(every.limit == 0);
  CHECK(d.order.order_by.empty());
  CHECK(d.order.limit == 0);
  auto ordered = std::get<DataIdsQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[17]})).query);
  CHECK(ordered.order.order_by == std::vector<std::string>{"-detector.full_name", "band"});
  CHECK(ordered.order.limit == 20001);
  CHECK_FALSE(ordered.datasets.has_value());
  auto records = std::get<DimensionRecordsQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[18]})).query);
  CHECK(records.element == "exposure");
  CHECK(records.where.text == where.text);
  CHECK(records.order.order_by == std::vector<std::string>{"-timespan.begin"});
  CHECK(records.order.limit == 5);
  auto f = std::get<FindDatasetQuery>(
      std::get<QueryRequest>(RoundTrip(QueryRequest{"", 0, queries[0]})).query);
  CHECK(f.data_id == data_id);
  CHECK(f.validity == codec::Timespan{codec::kUnboundedBegin, 9});

  engine::DatasetRef ref;
  ref.id = codec::RandomUuidV4();
  ref.dataset_type = "bias";
  ref.run = "run";
  ref.data_id = data_id;
  ref.artifact = codec::Artifact{"bias/1.fits", 123, {4, 5}};
  ref.collection = "calib";
  ref.validity = codec::Timespan{10, 20};
  ref.implied = {{"band", std::string("r")}, {"day_obs", int64_t{20240301}}};
  ref.joined = {{"exposure", int64_t{903334}}};
  engine::DatasetRef bare = ref;
  bare.artifact.reset();
  bare.validity.reset();
  bare.implied.clear();
  bare.joined.clear();
  const std::vector<QueryRows> pages = {
      std::vector<engine::DatasetRef>{ref, bare},
      std::vector<engine::CollectionInfo>{{"chain", codec::CollectionType::kChained, "doc", {"a"}},
                                          {"a", codec::CollectionType::kRun, "", {}}},
      std::vector<engine::DatasetTypeInfo>{{"calexp.wcs", {"detector"}, "Wcs", true}},
      std::vector<codec::FieldMap>{data_id, {}},
      std::vector<std::string>{"x", ""},
      std::vector<engine::DatasetRef>{},
  };
  for (const QueryRows& rows : pages) {
    INFO("rows " << rows.index());
    auto page = std::get<QueryReply>(RoundTrip(QueryReply{17, rows, 3, 99}));
    CHECK(page.sequence == 17);
    CHECK(page.remaining == 3);
    CHECK(page.cursor == 99);
    CHECK(RowCount(page.rows) == RowCount(rows));
  }
  auto refs = std::get<std::vector<engine::DatasetRef>>(
      std::get<QueryReply>(RoundTrip(QueryReply{1, pages[0], 0, 0})).rows);
  REQUIRE(refs.size() == 2);
  CHECK(refs[0].id == ref.id);
  CHECK(refs[0].data_id == data_id);
  CHECK(refs[0].artifact == ref.artifact);
  CHECK(refs[0].validity == ref.validity);
  CHECK(refs[0].collection == "calib");
  CHECK(refs[0].implied == ref.implied);  // Since version 3.
  CHECK(refs[0].joined == ref.joined);
  CHECK(refs[1].implied.empty());
  CHECK_FALSE(refs[1].artifact.has_value());
  CHECK_FALSE(refs[1].validity.has_value());

  auto m = std::get<MoreRequest>(RoundTrip(MoreRequest{~uint64_t{0}, true}));
  CHECK(m.cursor == ~uint64_t{0});
  CHECK(m.close);
  auto w = std::get<WaitRequest>(RoundTrip(WaitRequest{
      "raw", data_id, {"run"}, codec::Timespan{1, 2}, std::chrono::milliseconds(1500)}));
  CHECK(w.dataset_type == "raw");
  CHECK(w.data_id == data_id);
  CHECK(w.collections == std::vector<std::string>{"run"});
  CHECK(w.validity == codec::Timespan{1, 2});
  CHECK(w.timeout == std::chrono::milliseconds(1500));
}

TEST_CASE("A page's rows stay within the bounds used to fill it", "[service][protocol]") {
  engine::DatasetRef ref;
  ref.id = codec::RandomUuidV4();
  ref.dataset_type = "raw";
  ref.run = std::string(300, 'r');
  ref.data_id = {{"instrument", std::string(50, 'i')}, {"detector", int64_t{1}}};
  ref.artifact = codec::Artifact{std::string(200, 'p'), 1, {}};
  std::vector<engine::DatasetRef> refs(1000, ref);
  const QueryRows rows = refs;
  size_t bound = 0;
  for (size_t i = 0; i < refs.size(); ++i) bound += EncodedSizeBound(rows, i);
  CHECK(Encode(QueryReply{1, rows, 0, 0}).size() <= bound + 256);
  const QueryRows names = std::vector<std::string>(1000, std::string(40, 'n'));
  bound = 0;
  for (size_t i = 0; i < 1000; ++i) bound += EncodedSizeBound(names, i);
  CHECK(Encode(QueryReply{1, names, 0, 0}).size() <= bound + 256);
}

namespace {

std::string QueryFrame(flatbuffers::FlatBufferBuilder& b, fbs::Query type,
                       flatbuffers::Offset<void> query) {
  auto request = fbs::CreateQueryRequest(b, 0, 0, type, query);
  b.Finish(fbs::CreateMessage(b, fbs::Body_QueryRequest, request.Union()));
  return Frame(b, MessageType::kQuery);
}

std::string ReplyFrame(flatbuffers::FlatBufferBuilder& b, fbs::Rows type,
                       flatbuffers::Offset<void> rows) {
  auto reply = fbs::CreateQueryReply(b, 1, type, rows);
  b.Finish(fbs::CreateMessage(b, fbs::Body_QueryReply, reply.Union()));
  return Frame(b, MessageType::kQueryResult);
}

}  // namespace

TEST_CASE("Decoding refuses broken queries and rows", "[service][protocol]") {
  {
    // A query with no alternative.
    flatbuffers::FlatBufferBuilder b;
    CHECK(DecodeMessage(QueryFrame(b, fbs::Query_NONE, fbs::CreateUniverseQuery(b).Union()))
              .status()
              .IsCorruption());
  }
  {
    // The union's tag and its table disagree.
    flatbuffers::FlatBufferBuilder b;
    auto q = fbs::CreateUniverseQuery(b);
    CHECK(DecodeMessage(QueryFrame(b, fbs::Query_FindDatasetQuery, q.Union()))
              .status()
              .IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    const uint8_t types[] = {1, 9};
    auto q = fbs::CreateCollectionsQuery(b, 0, b.CreateVector(types, 2));
    CHECK(DecodeMessage(QueryFrame(b, fbs::Query_CollectionsQuery, q.Union()))
              .status()
              .IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    const uint8_t ids[20] = {};
    auto q = fbs::CreateGetDatasetsQuery(b, b.CreateVector(ids, 20));
    CHECK(DecodeMessage(QueryFrame(b, fbs::Query_GetDatasetsQuery, q.Union()))
              .status()
              .IsCorruption());
  }
  {
    // A data ID naming one key twice.
    flatbuffers::FlatBufferBuilder b;
    std::vector<flatbuffers::Offset<fbs::Field>> fields = {
        fbs::CreateField(b, b.CreateString("detector"), false, 1),
        fbs::CreateField(b, b.CreateString("detector"), false, 2)};
    auto q = fbs::CreateFindDatasetQuery(b, b.CreateString("raw"), b.CreateVector(fields));
    auto decoded = DecodeMessage(QueryFrame(b, fbs::Query_FindDatasetQuery, q.Union()));
    CHECK(decoded.status().IsCorruption());
    CHECK(decoded.status().message().find("twice") != std::string_view::npos);
  }
  {
    // A required field missing: the verifier refuses it.
    flatbuffers::FlatBufferBuilder b;
    fbs::FindDatasetQueryBuilder q(b);
    auto offset = q.Finish();
    CHECK(DecodeMessage(QueryFrame(b, fbs::Query_FindDatasetQuery, offset.Union()))
              .status()
              .IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    const uint8_t id[15] = {};
    std::vector<flatbuffers::Offset<fbs::DatasetRow>> rows = {
        fbs::CreateDatasetRow(b, b.CreateVector(id, 15))};
    auto r = fbs::CreateDatasetRows(b, b.CreateVector(rows));
    CHECK(DecodeMessage(ReplyFrame(b, fbs::Rows_DatasetRows, r.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    std::vector<flatbuffers::Offset<fbs::CollectionRow>> rows = {
        fbs::CreateCollectionRow(b, b.CreateString("x"), static_cast<fbs::CollectionType>(0))};
    auto r = fbs::CreateCollectionRows(b, b.CreateVector(rows));
    CHECK(
        DecodeMessage(ReplyFrame(b, fbs::Rows_CollectionRows, r.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto r = fbs::CreateStringRows(b);
    CHECK(DecodeMessage(ReplyFrame(b, fbs::Rows_NONE, r.Union())).status().IsCorruption());
  }
  {
    // Truncated: every prefix of a valid query fails to decode, none crashes.
    const std::string whole =
        Encode(QueryRequest{"5", 0,
                            DataIdsQuery{{"detector"},
                                         {"detector = 1", {}},
                                         DatasetsQuery{"raw", {"a"}, {}, true, std::nullopt}}});
    for (size_t n = 0; n < whole.size(); ++n) {
      CHECK_FALSE(DecodeMessage(whole.substr(0, n)).ok());
    }
  }
}

TEST_CASE("An OK status is not a reply", "[service][protocol]") {
  std::string out;
  CHECK(AppendMessage(StatusReply{Status::OK()}, &out).IsInvalidArgument());
}

TEST_CASE("Decoding refuses broken frames", "[service][protocol]") {
  const std::string good = Encode(InfoRequest{});
  CHECK(DecodeMessage("").status().IsCorruption());
  CHECK(DecodeMessage(good.substr(0, good.size() - 1)).status().IsCorruption());
  CHECK(DecodeMessage(good + "x").status().IsCorruption());
  std::string flipped = good;
  flipped[codec::kFrameHeaderSize] ^= 1;
  CHECK(DecodeMessage(flipped).status().IsCorruption());
  std::string zeros(good.size(), '\0');
  CHECK(DecodeMessage(zeros).status().IsCorruption());
}

TEST_CASE("Decoding refuses an unknown type, or a type byte that differs from the body",
          "[service][protocol]") {
  std::string payload = Encode(InfoRequest{}).substr(codec::kFrameHeaderSize);
  payload.resize(payload.size() - 8);
  std::string unknown;
  REQUIRE(codec::AppendRawFrame(7, payload, &unknown).ok());
  CHECK(DecodeMessage(unknown).status().IsCorruption());
  std::string mismatched;
  REQUIRE(
      codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kHello), payload, &mismatched).ok());
  auto decoded = DecodeMessage(mismatched);
  CHECK(decoded.status().IsCorruption());
  std::string not_flatbuffers;
  REQUIRE(codec::AppendRawFrame(static_cast<uint8_t>(MessageType::kInfo), "junk", &not_flatbuffers)
              .ok());
  CHECK(DecodeMessage(not_flatbuffers).status().IsCorruption());
}

TEST_CASE("Decoding refuses enums out of range, short ids and bad event payloads",
          "[service][protocol]") {
  {
    flatbuffers::FlatBufferBuilder b;
    auto name = b.CreateString("x");
    auto edit = fbs::CreateEnsureCollectionEdit(b, name, static_cast<fbs::CollectionType>(9));
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_EnsureCollectionEdit, edit.Union()))
              .status()
              .IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto chain = b.CreateString("c");
    auto edit = fbs::CreateChainEditEdit(b, chain, static_cast<fbs::ChainEditMode>(5));
    CHECK(
        DecodeMessage(EditFrame(b, fbs::Edit_ChainEditEdit, edit.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    const uint8_t bytes[17] = {};
    auto edit = fbs::CreatePruneEdit(b, b.CreateVector(bytes, 17), fbs::PruneMode_Forget);
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_PruneEdit, edit.Union())).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto edit = fbs::CreatePruneEdit(b, 0, static_cast<fbs::PruneMode>(3));
    CHECK(DecodeMessage(EditFrame(b, fbs::Edit_PruneEdit, edit.Union())).status().IsCorruption());
  }
  for (uint8_t type : {uint8_t{0}, uint8_t{codec::kMaxEventType + 1}, uint8_t{3}}) {
    // Type 3 is a known event whose payload is another event's.
    codec::Event event;
    event.body = codec::CreateCollection{"x", codec::CollectionType::kRun, ""};
    const std::string payload = codec::EncodeEventPayload(event);
    flatbuffers::FlatBufferBuilder b;
    auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
    std::vector<flatbuffers::Offset<fbs::EventBytes>> events = {
        fbs::CreateEventBytes(b, type, bytes)};
    auto edit = fbs::CreateAppendEdit(b, b.CreateVector(events));
    INFO(int{type});
    auto decoded = DecodeMessage(EditFrame(b, fbs::Edit_AppendEdit, edit.Union()));
    CHECK(decoded.status().IsCorruption());
    CHECK(decoded.status().message().find("event 1 of the append") != std::string_view::npos);
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto reply = fbs::CreateStatusReply(b, 0, b.CreateString("fine"));
    b.Finish(fbs::CreateMessage(b, fbs::Body_StatusReply, reply.Union()));
    CHECK(DecodeMessage(Frame(b, MessageType::kStatus)).status().IsCorruption());
  }
  {
    flatbuffers::FlatBufferBuilder b;
    auto hello = fbs::CreateHello(b, 1, b.CreateVector(std::vector<uint8_t>(15)));
    b.Finish(fbs::CreateMessage(b, fbs::Body_Hello, hello.Union()));
    CHECK(DecodeMessage(Frame(b, MessageType::kHello)).status().IsCorruption());
  }
}

TEST_CASE("The sequence, time and actor an append's payload carries do not survive decoding",
          "[service][protocol]") {
  codec::Event forged;
  forged.sequence = 7;
  forged.commit_time_ns = 8;
  forged.actor = "operator";
  forged.body = codec::CreateCollection{"x", codec::CollectionType::kRun, ""};
  const std::string payload = codec::EncodeEventPayload(forged);
  flatbuffers::FlatBufferBuilder b;
  auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  std::vector<flatbuffers::Offset<fbs::EventBytes>> events = {
      fbs::CreateEventBytes(b, static_cast<uint8_t>(forged.type()), bytes)};
  auto edit = fbs::CreateAppendEdit(b, b.CreateVector(events));
  auto decoded = DecodeMessage(EditFrame(b, fbs::Edit_AppendEdit, edit.Union()));
  REQUIRE(decoded.ok());
  const auto& append = std::get<engine::AppendEdit>(std::get<EditRequest>(*decoded).edit);
  REQUIRE(append.bodies.size() == 1);
  // An AppendEdit holds bodies only: nothing of the envelope is left to use.
  CHECK(append.bodies[0] == forged.body);
}

namespace {

PlaceRequest SamplePlace() {
  PlaceRequest request;
  request.events.emplace_back(
      codec::CreateCollection{"Cam/raw/all", codec::CollectionType::kRun, ""});
  codec::RegisterDatasets event;
  event.run = "Cam/raw/all";
  event.dataset_type = "raw";
  event.datasets.push_back(codec::DatasetEntry{
      codec::Uuid::FromBytes("0123456789abcdef"),
      {{"instrument", "Cam"}, {"exposure", int64_t{7}}, {"detector", int64_t{1}}},
      codec::Artifact{"raw/c1.fits", 0, {}}});
  request.events.emplace_back(std::move(event));
  request.files.push_back(PlaceFile{{{1, 0}, {1, 1}}, "raw/c1.fits", "/data/in/c1.fits"});
  request.mode = PlaceMode::kRelsymlink;
  request.all_or_nothing = true;
  request.act_for = "bob";
  request.more = true;
  return request;
}

}  // namespace

TEST_CASE("Place requests and their replies round-trip", "[service][protocol]") {
  const auto place = std::get<PlaceRequest>(RoundTrip(SamplePlace()));
  REQUIRE(place.events.size() == 2);
  CHECK(std::get<codec::RegisterDatasets>(place.events[1]).datasets.at(0).artifact->path ==
        "raw/c1.fits");
  REQUIRE(place.files.size() == 1);
  CHECK(place.files[0].entries == std::vector<EntryRef>{{1, 0}, {1, 1}});
  CHECK(place.files[0].path == "raw/c1.fits");
  CHECK(place.files[0].source == "/data/in/c1.fits");
  CHECK(place.mode == PlaceMode::kRelsymlink);
  CHECK(place.all_or_nothing);
  CHECK(place.act_for == "bob");
  CHECK(place.more);

  PlaceReply reply;
  reply.result.head.sequence = 9;
  reply.result.first = 8;
  reply.skipped.push_back(PlaceSkip{2, "a different file is already at raw/c2.fits"});
  const auto back = std::get<PlaceReply>(RoundTrip(reply));
  CHECK(back.result.head.sequence == 9);
  CHECK(back.result.first == 8);
  REQUIRE(back.skipped.size() == 1);
  CHECK(back.skipped[0].file == 2);
  CHECK(back.skipped[0].reason == reply.skipped[0].reason);
}

TEST_CASE("Decoding refuses a place mode out of range and more files than descriptors may be",
          "[service][protocol]") {
  {
    flatbuffers::FlatBufferBuilder b;
    auto request = fbs::CreatePlaceRequest(b, 0, 0, static_cast<fbs::PlaceMode>(9));
    b.Finish(fbs::CreateMessage(b, fbs::Body_PlaceRequest, request.Union()));
    auto decoded = DecodeMessage(Frame(b, MessageType::kPlace));
    CHECK(decoded.status().IsCorruption());
    CHECK(std::string(decoded.status().message()).find("place mode 9") != std::string::npos);
  }
  {
    flatbuffers::FlatBufferBuilder b;
    std::vector<flatbuffers::Offset<fbs::PlaceFile>> files;
    for (size_t i = 0; i <= kMaxDescriptorsPerMessage; ++i) {
      files.push_back(fbs::CreatePlaceFile(b, 0, b.CreateString("x")));
    }
    auto vector = b.CreateVector(files);
    auto request = fbs::CreatePlaceRequest(b, 0, vector);
    b.Finish(fbs::CreateMessage(b, fbs::Body_PlaceRequest, request.Union()));
    auto decoded = DecodeMessage(Frame(b, MessageType::kPlace));
    CHECK(decoded.status().IsCorruption());
    CHECK(std::string(decoded.status().message()).find("more than the 128") != std::string::npos);
  }
}

// Writes the place, dataset_search and ordered query seeds of the service fuzzer when asked
// (STARLOG_WRITE_FUZZ_SEEDS=fuzz/corpus/service).
TEST_CASE("Place messages as fuzz seeds", "[service][protocol]") {
  const char* folder = std::getenv("STARLOG_WRITE_FUZZ_SEEDS");
  if (folder == nullptr) return;
  PlaceReply reply;
  reply.result.head.sequence = 9;
  reply.skipped.push_back(PlaceSkip{0, "skipped"});
  for (const auto& [name, message] : std::vector<std::pair<std::string, Message>>{
           {"place", SamplePlace()},
           {"place_result", reply},
           {"query_dataset_search",
            QueryRequest{"7", 0,
                         DatasetSearchQuery{{"raw", "cal*"},
                                            {"", {"HSC/defaults"}, {"exposure = 7", {}}, true, {}},
                                            {"-detector", "exposure.day_obs"},
                                            100}}},
           {"query_data_ids_ordered",
            QueryRequest{"", 0,
                         DataIdsQuery{{"exposure", "detector"},
                                      {"band = b", {{"b", std::string("r")}}},
                                      std::nullopt,
                                      {{"-exposure.timespan.begin", "detector.full_name"}, 10}}}},
           {"query_dimension_records_ordered",
            QueryRequest{"", 0, DimensionRecordsQuery{"detector", {}, {{"-full_name"}, 3}}}}}) {
    std::ofstream(std::string(folder) + "/" + name, std::ios::binary) << Encode(message);
  }
}
