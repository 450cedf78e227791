#include "service/query_codec.h"

#include <algorithm>
#include <limits>

#include "service/fb_helpers.h"

namespace starlog::service {

namespace fbs = ::starlog::service::fb;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::Vector;

static_assert(static_cast<int>(fbs::Query_MAX) == std::variant_size_v<Query>,
              "protocol.h and service.fbs disagree on the queries");
static_assert(static_cast<int>(fbs::Rows_MAX) == std::variant_size_v<QueryRows>,
              "protocol.h and service.fbs disagree on the rows");

namespace internal {

namespace {

// ---------------------------------------------------------------- encoding

using FieldsOffset = Offset<Vector<Offset<fbs::Field>>>;

FieldsOffset EncodeFields(FlatBufferBuilder& b, const codec::FieldMap& fields) {
  std::vector<Offset<fbs::Field>> out;
  out.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    auto n = b.CreateString(name);
    if (const auto* text = std::get_if<std::string>(&value)) {
      out.push_back(fbs::CreateField(b, n, true, 0, b.CreateString(*text)));
    } else {
      out.push_back(fbs::CreateField(b, n, false, std::get<int64_t>(value)));
    }
  }
  return b.CreateVector(out);
}

FieldsOffset EncodeBinds(FlatBufferBuilder& b, const engine::WhereBinds& binds) {
  return EncodeFields(b, codec::FieldMap(binds.begin(), binds.end()));
}

const fbs::Timespan* EncodeSpan(const std::optional<codec::Timespan>& span, fbs::Timespan* out) {
  if (!span) return nullptr;
  *out = fbs::Timespan(span->begin, span->end);
  return out;
}

Offset<fbs::DatasetsQuery> EncodeDatasetsQuery(FlatBufferBuilder& b, const DatasetsQuery& q) {
  auto type = b.CreateString(q.dataset_type);
  auto collections = b.CreateVectorOfStrings(q.collections);
  auto where = b.CreateString(q.where.text);
  auto binds = EncodeBinds(b, q.where.binds);
  fbs::Timespan span;
  return fbs::CreateDatasetsQuery(b, type, collections, where, binds, q.find_first,
                                  EncodeSpan(q.validity, &span));
}

struct QueryEncoder {
  FlatBufferBuilder& b;

  Offset<void> operator()(const FindDatasetQuery& q) {
    auto type = b.CreateString(q.dataset_type);
    auto data_id = EncodeFields(b, q.data_id);
    auto collections = b.CreateVectorOfStrings(q.collections);
    fbs::Timespan span;
    return fbs::CreateFindDatasetQuery(b, type, data_id, collections, EncodeSpan(q.validity, &span))
        .Union();
  }
  Offset<void> operator()(const DatasetsQuery& q) { return EncodeDatasetsQuery(b, q).Union(); }
  Offset<void> operator()(const CollectionsQuery& q) {
    auto patterns = b.CreateVectorOfStrings(q.patterns);
    std::vector<uint8_t> types;
    for (codec::CollectionType t : q.types) types.push_back(static_cast<uint8_t>(t));
    return fbs::CreateCollectionsQuery(b, patterns, b.CreateVector(types)).Union();
  }
  Offset<void> operator()(const DatasetTypesQuery& q) {
    return fbs::CreateDatasetTypesQuery(b, b.CreateVectorOfStrings(q.patterns), q.components)
        .Union();
  }
  Offset<void> operator()(const DataIdsQuery& q) {
    auto dimensions = b.CreateVectorOfStrings(q.dimensions);
    auto where = b.CreateString(q.where.text);
    auto binds = EncodeBinds(b, q.where.binds);
    auto datasets = q.datasets ? EncodeDatasetsQuery(b, *q.datasets) : 0;
    auto order_by = b.CreateVectorOfStrings(q.order.order_by);
    return fbs::CreateDataIdsQuery(b, dimensions, where, binds, datasets, order_by, q.order.limit)
        .Union();
  }
  Offset<void> operator()(const DimensionRecordsQuery& q) {
    auto element = b.CreateString(q.element);
    auto where = b.CreateString(q.where.text);
    auto binds = EncodeBinds(b, q.where.binds);
    auto order_by = b.CreateVectorOfStrings(q.order.order_by);
    return fbs::CreateDimensionRecordsQuery(b, element, where, binds, order_by, q.order.limit)
        .Union();
  }
  Offset<void> operator()(const GetDatasetsQuery& q) {
    std::string ids;
    for (const codec::Uuid& id : q.ids) ids.append(id.AsBytes());
    return fbs::CreateGetDatasetsQuery(b, EncodeBytes(b, ids)).Union();
  }
  Offset<void> operator()(const GetCollectionQuery& q) {
    return fbs::CreateGetCollectionQuery(b, b.CreateString(q.name)).Union();
  }
  Offset<void> operator()(const SearchPathQuery& q) {
    return fbs::CreateSearchPathQuery(b, b.CreateVectorOfStrings(q.names)).Union();
  }
  Offset<void> operator()(const UniverseQuery&) { return fbs::CreateUniverseQuery(b).Union(); }
  Offset<void> operator()(const SnapshotsQuery&) { return fbs::CreateSnapshotsQuery(b).Union(); }
  Offset<void> operator()(const DatasetTypesInQuery& q) {
    return fbs::CreateDatasetTypesInQuery(b, b.CreateVectorOfStrings(q.collections)).Union();
  }
  Offset<void> operator()(const DatasetSearchQuery& q) {
    auto types = b.CreateVectorOfStrings(q.dataset_types);
    auto query = EncodeDatasetsQuery(b, q.query);
    auto order_by = b.CreateVectorOfStrings(q.order_by);
    return fbs::CreateDatasetSearchQuery(b, types, query, order_by, q.limit).Union();
  }
};

Offset<fbs::DatasetRow> EncodeDataset(FlatBufferBuilder& b, const engine::DatasetRef& r) {
  auto id = EncodeBytes(b, r.id.AsBytes());
  auto type = b.CreateString(r.dataset_type);
  auto run = b.CreateString(r.run);
  auto data_id = EncodeFields(b, r.data_id);
  Offset<fbs::Artifact> artifact;
  if (r.artifact) {
    const fbs::Hash128 checksum = ToFb(r.artifact->checksum);
    artifact =
        fbs::CreateArtifact(b, b.CreateString(r.artifact->path), r.artifact->size, &checksum);
  }
  auto collection = b.CreateString(r.collection);
  auto implied = EncodeFields(b, r.implied);
  auto joined = EncodeFields(b, r.joined);
  fbs::Timespan span;
  return fbs::CreateDatasetRow(b, id, type, run, data_id, artifact, collection,
                               EncodeSpan(r.validity, &span), implied, joined);
}

struct RowsEncoder {
  FlatBufferBuilder& b;

  template <typename T, typename F>
  auto Each(const std::vector<T>& rows, F encode) {
    std::vector<decltype(encode(rows.front()))> out;
    out.reserve(rows.size());
    for (const T& row : rows) out.push_back(encode(row));
    return b.CreateVector(out);
  }

  Offset<void> operator()(const std::vector<engine::DatasetRef>& rows) {
    auto v = Each(rows, [&](const engine::DatasetRef& r) { return EncodeDataset(b, r); });
    return fbs::CreateDatasetRows(b, v).Union();
  }
  Offset<void> operator()(const std::vector<engine::CollectionInfo>& rows) {
    auto v = Each(rows, [&](const engine::CollectionInfo& c) {
      auto name = b.CreateString(c.name);
      auto doc = b.CreateString(c.doc);
      auto children = b.CreateVectorOfStrings(c.children);
      return fbs::CreateCollectionRow(b, name, static_cast<fbs::CollectionType>(c.type), doc,
                                      children);
    });
    return fbs::CreateCollectionRows(b, v).Union();
  }
  Offset<void> operator()(const std::vector<engine::DatasetTypeInfo>& rows) {
    auto v = Each(rows, [&](const engine::DatasetTypeInfo& t) {
      auto name = b.CreateString(t.name);
      auto dimensions = b.CreateVectorOfStrings(t.dimensions);
      auto storage_class = b.CreateString(t.storage_class);
      return fbs::CreateDatasetTypeRow(b, name, dimensions, storage_class, t.is_calibration);
    });
    return fbs::CreateDatasetTypeRows(b, v).Union();
  }
  Offset<void> operator()(const std::vector<codec::FieldMap>& rows) {
    auto v = Each(rows, [&](const codec::FieldMap& f) {
      return fbs::CreateFieldMapRow(b, EncodeFields(b, f));
    });
    return fbs::CreateFieldMapRows(b, v).Union();
  }
  Offset<void> operator()(const std::vector<std::string>& rows) {
    return fbs::CreateStringRows(b, b.CreateVectorOfStrings(rows)).Union();
  }
};

// ---------------------------------------------------------------- decoding

Result<codec::FieldMap> DecodeFields(const Vector<Offset<fbs::Field>>* v, std::string_view what) {
  codec::FieldMap out;
  if (v == nullptr) return out;
  for (const fbs::Field* f : *v) {
    codec::FieldValue value;
    if (f->is_string()) {
      value = Str(f->string_value());
    } else {
      value = f->int_value();
    }
    if (!out.emplace(f->name()->str(), std::move(value)).second) {
      return Malformed(std::string(what) + " names '" + f->name()->str() + "' twice");
    }
  }
  return out;
}

Result<WhereText> DecodeWhere(const flatbuffers::String* text,
                              const Vector<Offset<fbs::Field>>* binds) {
  WhereText out;
  out.text = Str(text);
  STARLOG_ASSIGN_OR_RETURN(codec::FieldMap values, DecodeFields(binds, "the binds"));
  out.binds = engine::WhereBinds(values.begin(), values.end());
  return out;
}

std::optional<codec::Timespan> DecodeSpan(const fbs::Timespan* span) {
  if (span == nullptr) return std::nullopt;
  return codec::Timespan{span->begin(), span->end()};
}

Result<codec::CollectionType> DecodeCollectionType(uint8_t type) {
  if (type < 1 || type > static_cast<uint8_t>(codec::CollectionType::kCalibration)) {
    return Malformed("collection type " + std::to_string(type));
  }
  return static_cast<codec::CollectionType>(type);
}

Result<std::vector<codec::Uuid>> DecodeIds(const Vector<uint8_t>* v) {
  const std::string_view ids = Bytes(v);
  if (ids.size() % 16 != 0) return Malformed("dataset ids are not 16 bytes each");
  std::vector<codec::Uuid> out;
  out.reserve(ids.size() / 16);
  for (size_t i = 0; i < ids.size(); i += 16) out.push_back(codec::Uuid::FromBytes(&ids[i]));
  return out;
}

Result<DatasetsQuery> DecodeDatasetsQuery(const fbs::DatasetsQuery& q) {
  DatasetsQuery out;
  out.dataset_type = q.dataset_type()->str();
  out.collections = Strings(q.collections());
  STARLOG_ASSIGN_OR_RETURN(out.where, DecodeWhere(q.where(), q.binds()));
  out.find_first = q.find_first();
  out.validity = DecodeSpan(q.validity());
  return out;
}

Result<Query> DecodeQuery(const fbs::QueryRequest& m) {
  switch (m.query_type()) {
    case fbs::Query_FindDatasetQuery: {
      const auto* q = m.query_as_FindDatasetQuery();
      FindDatasetQuery out;
      out.dataset_type = q->dataset_type()->str();
      STARLOG_ASSIGN_OR_RETURN(out.data_id, DecodeFields(q->data_id(), "the data ID"));
      out.collections = Strings(q->collections());
      out.validity = DecodeSpan(q->validity());
      return Query(std::move(out));
    }
    case fbs::Query_DatasetsQuery: {
      STARLOG_ASSIGN_OR_RETURN(DatasetsQuery out, DecodeDatasetsQuery(*m.query_as_DatasetsQuery()));
      return Query(std::move(out));
    }
    case fbs::Query_CollectionsQuery: {
      const auto* q = m.query_as_CollectionsQuery();
      CollectionsQuery out;
      out.patterns = Strings(q->patterns());
      for (uint8_t t : Bytes(q->types())) {
        STARLOG_ASSIGN_OR_RETURN(codec::CollectionType type, DecodeCollectionType(t));
        out.types.push_back(type);
      }
      return Query(std::move(out));
    }
    case fbs::Query_DatasetTypesQuery: {
      const auto* q = m.query_as_DatasetTypesQuery();
      return Query(DatasetTypesQuery{Strings(q->patterns()), q->components()});
    }
    case fbs::Query_DataIdsQuery: {
      const auto* q = m.query_as_DataIdsQuery();
      DataIdsQuery out;
      out.dimensions = Strings(q->dimensions());
      STARLOG_ASSIGN_OR_RETURN(out.where, DecodeWhere(q->where(), q->binds()));
      if (q->datasets() != nullptr) {
        STARLOG_ASSIGN_OR_RETURN(out.datasets, DecodeDatasetsQuery(*q->datasets()));
      }
      out.order = engine::RowOrder{Strings(q->order_by()), q->limit()};
      return Query(std::move(out));
    }
    case fbs::Query_DimensionRecordsQuery: {
      const auto* q = m.query_as_DimensionRecordsQuery();
      DimensionRecordsQuery out;
      out.element = q->element()->str();
      STARLOG_ASSIGN_OR_RETURN(out.where, DecodeWhere(q->where(), q->binds()));
      out.order = engine::RowOrder{Strings(q->order_by()), q->limit()};
      return Query(std::move(out));
    }
    case fbs::Query_GetDatasetsQuery: {
      STARLOG_ASSIGN_OR_RETURN(auto ids, DecodeIds(m.query_as_GetDatasetsQuery()->ids()));
      return Query(GetDatasetsQuery{std::move(ids)});
    }
    case fbs::Query_GetCollectionQuery:
      return Query(GetCollectionQuery{m.query_as_GetCollectionQuery()->name()->str()});
    case fbs::Query_SearchPathQuery:
      return Query(SearchPathQuery{Strings(m.query_as_SearchPathQuery()->names())});
    case fbs::Query_UniverseQuery:
      return Query(UniverseQuery{});
    case fbs::Query_SnapshotsQuery:
      return Query(SnapshotsQuery{});
    case fbs::Query_DatasetTypesInQuery:
      return Query(DatasetTypesInQuery{Strings(m.query_as_DatasetTypesInQuery()->collections())});
    case fbs::Query_DatasetSearchQuery: {
      const auto* q = m.query_as_DatasetSearchQuery();
      DatasetSearchQuery out;
      out.dataset_types = Strings(q->dataset_types());
      STARLOG_ASSIGN_OR_RETURN(out.query, DecodeDatasetsQuery(*q->query()));
      out.order_by = Strings(q->order_by());
      out.limit = q->limit();
      return Query(std::move(out));
    }
    case fbs::Query_NONE:
      break;
  }
  return Malformed("unknown query " + std::to_string(static_cast<int>(m.query_type())));
}

Result<engine::DatasetRef> DecodeDataset(const fbs::DatasetRow& r) {
  engine::DatasetRef out;
  STARLOG_ASSIGN_OR_RETURN(out.id, DecodeUuid(r.id(), "a dataset id"));
  out.dataset_type = Str(r.dataset_type());
  out.run = Str(r.run());
  STARLOG_ASSIGN_OR_RETURN(out.data_id, DecodeFields(r.data_id(), "a data ID"));
  if (const fbs::Artifact* a = r.artifact()) {
    out.artifact = codec::Artifact{Str(a->path()), a->size(), FromFb(a->checksum())};
  }
  out.collection = Str(r.collection());
  out.validity = DecodeSpan(r.validity());
  STARLOG_ASSIGN_OR_RETURN(out.implied, DecodeFields(r.implied(), "implied values"));
  STARLOG_ASSIGN_OR_RETURN(out.joined, DecodeFields(r.joined(), "a joined data ID"));
  return out;
}

// Each row through "decode", into the alternative of QueryRows it returns.
template <typename T, typename Row, typename F>
Result<QueryRows> DecodeEach(const Vector<Offset<Row>>* rows, F decode) {
  std::vector<T> out;
  if (rows != nullptr) {
    out.reserve(rows->size());
    for (const Row* row : *rows) {
      STARLOG_ASSIGN_OR_RETURN(T value, decode(*row));
      out.push_back(std::move(value));
    }
  }
  return QueryRows(std::move(out));
}

Result<QueryRows> DecodeRows(const fbs::QueryReply& m) {
  switch (m.rows_type()) {
    case fbs::Rows_DatasetRows:
      return DecodeEach<engine::DatasetRef>(m.rows_as_DatasetRows()->rows(), DecodeDataset);
    case fbs::Rows_CollectionRows:
      return DecodeEach<engine::CollectionInfo>(
          m.rows_as_CollectionRows()->rows(),
          [](const fbs::CollectionRow& c) -> Result<engine::CollectionInfo> {
            engine::CollectionInfo out;
            out.name = Str(c.name());
            STARLOG_ASSIGN_OR_RETURN(out.type,
                                     DecodeCollectionType(static_cast<uint8_t>(c.type())));
            out.doc = Str(c.doc());
            out.children = Strings(c.children());
            return out;
          });
    case fbs::Rows_DatasetTypeRows:
      return DecodeEach<engine::DatasetTypeInfo>(
          m.rows_as_DatasetTypeRows()->rows(),
          [](const fbs::DatasetTypeRow& t) -> Result<engine::DatasetTypeInfo> {
            return engine::DatasetTypeInfo{Str(t.name()), Strings(t.dimensions()),
                                           Str(t.storage_class()), t.is_calibration()};
          });
    case fbs::Rows_FieldMapRows:
      return DecodeEach<codec::FieldMap>(
          m.rows_as_FieldMapRows()->rows(),
          [](const fbs::FieldMapRow& f) { return DecodeFields(f.fields(), "a row"); });
    case fbs::Rows_StringRows:
      return QueryRows(Strings(m.rows_as_StringRows()->rows()));
    case fbs::Rows_NONE:
      break;
  }
  return Malformed("unknown rows " + std::to_string(static_cast<int>(m.rows_type())));
}

// Rough but generous: FlatBuffers adds a length and padding to each string
// and vector, and a vtable and offsets to each table.
constexpr size_t kStringOverhead = 8;
constexpr size_t kTableOverhead = 64;

size_t StringBound(const std::string& s) { return s.size() + kStringOverhead; }

size_t FieldsBound(const codec::FieldMap& fields) {
  size_t n = 8;
  for (const auto& [name, value] : fields) {
    n += kTableOverhead + StringBound(name);
    if (const auto* text = std::get_if<std::string>(&value)) n += StringBound(*text);
  }
  return n;
}

size_t StringsBound(const std::vector<std::string>& strings) {
  size_t n = 8;
  for (const std::string& s : strings) n += StringBound(s) + 4;
  return n;
}

struct RowBound {
  size_t index;

  size_t operator()(const std::vector<engine::DatasetRef>& rows) const {
    const engine::DatasetRef& r = rows[index];
    size_t n = kTableOverhead + 24 + StringBound(r.dataset_type) + StringBound(r.run) +
               FieldsBound(r.data_id) + FieldsBound(r.implied) + FieldsBound(r.joined) +
               StringBound(r.collection) + 16;
    if (r.artifact) n += kTableOverhead + StringBound(r.artifact->path) + 24;
    return n;
  }
  size_t operator()(const std::vector<engine::CollectionInfo>& rows) const {
    const engine::CollectionInfo& c = rows[index];
    return kTableOverhead + StringBound(c.name) + StringBound(c.doc) + StringsBound(c.children);
  }
  size_t operator()(const std::vector<engine::DatasetTypeInfo>& rows) const {
    const engine::DatasetTypeInfo& t = rows[index];
    return kTableOverhead + StringBound(t.name) + StringsBound(t.dimensions) +
           StringBound(t.storage_class);
  }
  size_t operator()(const std::vector<codec::FieldMap>& rows) const {
    return kTableOverhead + FieldsBound(rows[index]);
  }
  size_t operator()(const std::vector<std::string>& rows) const {
    return StringBound(rows[index]) + 4;
  }
};

}  // namespace

Offset<void> EncodeQueryRequest(FlatBufferBuilder& b, const QueryRequest& m) {
  auto as_of = m.as_of.empty() ? Offset<flatbuffers::String>() : b.CreateString(m.as_of);
  const Offset<void> query = std::visit(QueryEncoder{b}, m.query);
  return fbs::CreateQueryRequest(b, as_of, m.page_rows,
                                 static_cast<fbs::Query>(m.query.index() + 1), query)
      .Union();
}

Offset<void> EncodeQueryReply(FlatBufferBuilder& b, const QueryReply& m) {
  const Offset<void> rows = std::visit(RowsEncoder{b}, m.rows);
  return fbs::CreateQueryReply(b, m.sequence, static_cast<fbs::Rows>(m.rows.index() + 1), rows,
                               m.remaining, m.cursor)
      .Union();
}

Offset<void> EncodeMoreRequest(FlatBufferBuilder& b, const MoreRequest& m) {
  return fbs::CreateMoreRequest(b, m.cursor, m.close).Union();
}

Offset<void> EncodeWaitRequest(FlatBufferBuilder& b, const WaitRequest& m) {
  auto type = b.CreateString(m.dataset_type);
  auto data_id = EncodeFields(b, m.data_id);
  auto collections = b.CreateVectorOfStrings(m.collections);
  fbs::Timespan span;
  const uint64_t timeout_ms = static_cast<uint64_t>(std::max<int64_t>(0, m.timeout.count()));
  return fbs::CreateWaitRequest(b, type, data_id, collections, EncodeSpan(m.validity, &span),
                                timeout_ms)
      .Union();
}

Offset<Vector<Offset<fbs::FamilyStats>>> EncodeFamilies(
    FlatBufferBuilder& b, const std::vector<engine::FamilyStats>& families) {
  std::vector<Offset<fbs::FamilyStats>> out;
  out.reserve(families.size());
  for (const engine::FamilyStats& f : families) {
    const fbs::Hash128 digest = ToFb(f.digest);
    out.push_back(fbs::CreateFamilyStats(b, b.CreateString(f.name), f.live_entries, &digest));
  }
  return b.CreateVector(out);
}

Result<QueryRequest> DecodeQueryRequest(const fbs::QueryRequest& m) {
  QueryRequest out;
  out.as_of = Str(m.as_of());
  out.page_rows = m.page_rows();
  STARLOG_ASSIGN_OR_RETURN(out.query, DecodeQuery(m));
  return out;
}

Result<QueryReply> DecodeQueryReply(const fbs::QueryReply& m) {
  QueryReply out;
  out.sequence = m.sequence();
  STARLOG_ASSIGN_OR_RETURN(out.rows, DecodeRows(m));
  out.remaining = m.remaining();
  out.cursor = m.cursor();
  return out;
}

MoreRequest DecodeMoreRequest(const fbs::MoreRequest& m) { return {m.cursor(), m.close()}; }

Result<WaitRequest> DecodeWaitRequest(const fbs::WaitRequest& m) {
  WaitRequest out;
  out.dataset_type = m.dataset_type()->str();
  STARLOG_ASSIGN_OR_RETURN(out.data_id, DecodeFields(m.data_id(), "the data ID"));
  out.collections = Strings(m.collections());
  out.validity = DecodeSpan(m.validity());
  // Longer than a service waits anyway (kMaxWait), but not past what the
  // type holds.
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 2);
  out.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::min(m.timeout_ms(), limit)));
  return out;
}

std::vector<engine::FamilyStats> DecodeFamilies(const Vector<Offset<fbs::FamilyStats>>* v) {
  std::vector<engine::FamilyStats> out;
  if (v == nullptr) return out;
  for (const fbs::FamilyStats* f : *v) {
    out.push_back({Str(f->name()), f->live_entries(), FromFb(f->digest())});
  }
  return out;
}

}  // namespace internal

size_t EncodedSizeBound(const QueryRows& rows, size_t index) {
  return std::visit(internal::RowBound{index}, rows);
}

size_t RowCount(const QueryRows& rows) {
  return std::visit([](const auto& v) { return v.size(); }, rows);
}

}  // namespace starlog::service
