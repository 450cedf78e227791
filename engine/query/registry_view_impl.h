#pragma once

// What a RegistryView holds, and the helpers its query files share.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/registry_keys.h"
#include "engine/store/db_handles.h"
#include "engine/store/iterator_cache.h"
#include "engine/store/versioned_index.h"
#include "starlog/engine/registry_view.h"

namespace starlog::engine {

// What a view has worked out once and need not work out again: the state as
// of a view's sequence never changes. Thread-safe. Bounded, since a view may
// live long (the service's, a Python session's) and be asked about anything:
// past "max_entries" it starts again empty, which costs a hit nothing, where
// an LRU's order would cost every hit a write.
template <typename V>
class ViewMemo {
 public:
  explicit ViewMemo(size_t max_entries = 4096) : max_entries_(max_entries) {}

  std::optional<V> Get(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void Put(const std::string& key, V value) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= max_entries_) map_.clear();
    map_.emplace(key, std::move(value));
  }

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  mutable std::map<std::string, V> map_;
};

// A dimension record as read, shared between the queries of a view that
// read it; nullopt where there is none.
using SharedRecord = std::shared_ptr<const std::optional<codec::FieldMap>>;

class RegistryView::Impl {
 public:
  Impl(DbHandles handles, uint64_t as_of, std::shared_ptr<const Universe> universe)
      : handles_(handles),
        as_of_(as_of),
        universe_(std::move(universe)),
        iterators_(std::make_unique<IteratorCache>(handles_)) {}

  const IndexReader reader() const { return IndexReader(handles_, as_of_, iterators_.get()); }
  // The butler's ingest_date of dataset "id": the commit time of the event
  // that registered it (its record's live version), as TAI ns; nullopt if
  // the view has no such dataset (ingest_date.cc).
  Result<std::optional<int64_t>> IngestDate(const codec::Uuid& id) const;
  uint64_t as_of() const { return as_of_; }
  const Universe& universe() const { return *universe_; }

  // A search path as FindDataset uses it: the collections it expands to,
  // with their types.
  struct SearchPath {
    std::vector<std::string> names;
    std::vector<codec::CollectionType> types;
    bool any_run_or_tagged = false;
  };

  ViewMemo<std::optional<CollectionInfo>> collections;  // By name; nullopt: none such.
  ViewMemo<DatasetTypeInfo> types;                      // By name as asked for.
  // By the names (or patterns) asked for, each followed by a NUL.
  ViewMemo<std::shared_ptr<const SearchPath>> search_paths;
  // A parent dataset type's data ID keys (Universe::RequiredKeys).
  ViewMemo<std::shared_ptr<const std::vector<std::string>>> type_keys;
  // Dimension records by key (RecordCache): the lookups of one exposure's
  // detectors read its record, and its physical_filter's, once.
  ViewMemo<SharedRecord> records;
  // A dataset's RUN by its id (the bytes of its UUID), for the datasets
  // found in TAGGED and CALIBRATION collections: the same few calibrations
  // answer a night's lookups.
  ViewMemo<std::string> runs;
  // Record pairs JoinRecords has examined (RegistryView::TEST_JoinRowsExamined).
  mutable std::atomic<uint64_t> join_rows_examined{0};

 private:
  DbHandles handles_;
  uint64_t as_of_;
  std::shared_ptr<const Universe> universe_;
  std::unique_ptr<IteratorCache> iterators_;
};

// "calexp.wcs" -> parent "calexp", component "wcs".
struct TypeName {
  std::string parent;
  std::string component;
};
TypeName SplitTypeName(const std::string& name);

// Calls "fn" with each record of "element" as of "reader", in key order,
// until it returns false.
Status ScanRecords(const IndexReader& reader, const std::string& element,
                   const std::function<bool(codec::FieldMap&& record)>& fn);

// Records looked up while evaluating where clauses or implied values, cached
// per query, and read through the view's memo.
class RecordCache {
 public:
  explicit RecordCache(const RegistryView::Impl& view) : view_(view) {}
  // The record of "element" whose keys come from "data_id"; null if absent.
  // Valid while this cache lives.
  Result<const codec::FieldMap*> Get(const std::string& element, const codec::FieldMap& data_id);
  // The same, each key taken from "data_id" or, failing that, from "more"
  // (the values implied so far).
  Result<const codec::FieldMap*> Get(const std::string& element, const codec::FieldMap& data_id,
                                     const codec::FieldMap& more);

 private:
  // A query asks for the same few elements once per row: each one's key
  // names are worked out once, and a cached record is found by its key
  // values, with nothing encoded (a row of query-datasets costs a lookup).
  using CacheMap = std::map<std::pair<size_t, std::vector<codec::FieldValue>>, SharedRecord>;
  struct ElementKeys {
    std::string element;
    std::vector<std::string> keys;         // RequiredKeys({element}).
    CacheMap::value_type* last = nullptr;  // The record of it last asked for.
  };
  Result<size_t> KeysOf(const std::string& element);

  const RegistryView::Impl& view_;
  std::vector<ElementKeys> elements_;
  std::vector<codec::FieldValue> values_;  // The key values of the record asked for.
  CacheMap cache_;                         // Map nodes stay put: ElementKeys::last points into it.
};

// The values "data_id" implies, from the records that imply them: an
// exposure's physical_filter and day_obs, and that physical_filter's band
// (the butler's implied values of an expanded data ID). Keys "data_id"
// already has are not repeated; a value whose record is missing (or does
// not name it) is absent, never invented.
Result<codec::FieldMap> ImpliedValuesOf(const Universe& universe, RecordCache& records,
                                        const codec::FieldMap& data_id);

class BoundWhere;

// Hands "fn" each data ID over "keys" (sorted, closed under what each
// requires) from the dimension records that satisfies "where" (bound to
// "keys"), until it returns false: QueryDataIds without datasets, before its
// rows are given their implied values (record_join.cc). The rows are
// distinct (each holds the keys of every record it joined).
using JoinRowFn = std::function<bool(codec::FieldMap&& row)>;
Status JoinRecords(const RegistryView::Impl& view, const std::vector<std::string>& keys,
                   const BoundWhere& where, RecordCache& records, const JoinRowFn& fn);

// QueryDataIds without an order: its rows handed to "fn" as they are found,
// until it returns false (query_data_ids.cc).
Status StreamDataIds(const RegistryView& view, const RegistryView::Impl& impl,
                     const std::vector<std::string>& dimensions, const WhereClause& where,
                     const std::optional<DatasetQuery>& datasets,
                     const RegistryView::FieldMapFn& fn);
// QueryDimensionRecords without an order, streamed the same way.
Status StreamDimensionRecords(const RegistryView& view, const RegistryView::Impl& impl,
                              const std::string& element, const WhereClause& where,
                              const RegistryView::FieldMapFn& fn);

// The dimensions "where" names that data IDs with "required" neither have
// nor imply, and that hang off them (an instrument's exposures, for a bias
// over instrument and detector): those a query joins (QueryJoinedDatasets).
std::vector<std::string> ExtraDimensions(const Universe& universe, const WhereClause& where,
                                         const std::vector<std::string>& required);

// QueryDatasets when its where clause names dimensions "type" lacks
// (exposure, for a bias): one dataset per data ID over both (DatasetRef::
// joined), a calibration valid for that data ID's exposure (or visit)
// timespan; nullopt when the clause names none. A data ID whose lookup finds
// nothing has no row; an ambiguous one is FindDataset's Conflict.
Result<std::optional<std::vector<DatasetRef>>> QueryJoinedDatasets(
    const RegistryView& view, const DatasetQuery& query, const DatasetTypeInfo& type,
    const std::vector<std::string>& required);

// A where clause bound to the keys of some data IDs, once per query: every
// name knows whether it reads the data ID itself or an element's record, and
// every literal was checked against the type of what it is compared with.
// Matches then evaluates the tree per candidate, reading each record once.
class BoundWhere {
 public:
  // InvalidArgument names (with its column) a name that is unknown for data
  // IDs with "keys", or a value of the wrong type. With "record_element",
  // the candidates are records of that element, and a bare name that is one
  // of its fields (not a key) names that field ("observation_type"). With
  // "datasets", the candidates are datasets, and "ingest_date" names their
  // registration time (Matches' "ingest_date").
  static Result<BoundWhere> Bind(const Universe& universe, const WhereClause& where,
                                 const std::vector<std::string>& keys,
                                 const DimensionElement* record_element = nullptr,
                                 bool datasets = false);
  // The names of an order (DatasetSearch::order_by, without their "-"),
  // each bound as a where clause binds a name: a key, a dimension the keys
  // imply, element.field or element.timespan.begin; also a bare field, or
  // timespan.begin, that exactly one element of the data IDs has.
  // InvalidArgument names one that is none of these. Values then reads them.
  static Result<BoundWhere> BindNames(const Universe& universe,
                                      const std::vector<std::string>& names,
                                      const std::vector<std::string>& keys);
  // The value of each name BindNames bound, for "data_id"; nullopt where a
  // record is missing or lacks the field.
  Result<std::vector<std::optional<codec::FieldValue>>> Values(const codec::FieldMap& data_id,
                                                               RecordCache& records) const;
  // Whether "data_id" (or record) satisfies the clause: true only if the
  // expression is true, not if it is unknown for want of a record.
  // "ingest_date" gives the candidate dataset's (Bind with "datasets").
  using IngestDateFn = std::function<Result<std::optional<int64_t>>()>;
  Result<bool> Matches(const codec::FieldMap& data_id, RecordCache& records,
                       const IngestDateFn& ingest_date = {}) const;
  bool empty() const { return !root_.has_value(); }
  // The keys the clause pins down: those compared by "=" with a value, alone
  // or in a top-level AND ("instrument = 'HSC' AND detector = 1"), so that a
  // query may seek rather than scan. Matches must still be asked.
  codec::FieldMap FixedKeys() const;
  // The terms of the clause's top-level AND (the clause itself when it is
  // no AND; none when it is empty), each a clause of its own: a data ID
  // satisfies the clause exactly when it satisfies every term.
  std::vector<BoundWhere> Conjuncts() const;
  // The data ID keys Matches reads, sorted: the keys compared, and the
  // keys of each record read (its element's own). A data ID that has these
  // gets the answer it would get with more keys.
  Result<std::vector<std::string>> KeysRead(const Universe& universe) const;
  // Per key, the values a term of the top-level AND lets it take: "k = v",
  // "k IN (...)" (ranges expanded), intersected when several terms name k;
  // a key left out is not so narrowed, nor one allowed more than "max".
  std::map<std::string, std::vector<codec::FieldValue>> KeyCandidates(size_t max) const;

  enum class Truth : uint8_t { kFalse, kTrue, kUnknown };
  struct Ref {
    // The records to read, in order: the first is keyed by the data ID, each
    // next one is implied by the one before (exposure -> physical_filter).
    // Empty: the value is the data ID's own.
    std::vector<std::string> path;
    std::string field;
    bool ingest_date = false;  // The dataset's, not the data ID's: "field" is no key.
  };
  struct Value {
    int ref = -1;  // Index into refs_, or -1 for "constant".
    codec::FieldValue constant;
  };
  struct Node {
    WhereNode::Kind kind = WhereNode::Kind::kCompare;
    WhereNode::Op op = WhereNode::Op::kEq;
    std::vector<Node> children;
    Value lhs, rhs;
    // kOverlaps: each side a timespan [lhs, lhs_end) (and [rhs, rhs_end)),
    // or the instant lhs (rhs) alone where *_instant.
    Value lhs_end, rhs_end;
    bool lhs_instant = false, rhs_instant = false;
    std::vector<Value> items;
    std::vector<WhereRange> ranges;
  };

 private:
  struct Context;
  Result<Truth> Eval(const Node& node, Context& ctx) const;
  Result<const codec::FieldValue*> Get(const Value& v, Context& ctx) const;
  // [begin, end) (or the instant begin, as [begin, begin)); nullopt where a
  // record or field is missing.
  Result<std::optional<codec::Timespan>> Span(const Value& begin, const Value& end, bool instant,
                                              Context& ctx) const;

  std::vector<Ref> refs_;
  std::optional<Node> root_;
  std::vector<Value> names_;  // BindNames'.
};

}  // namespace starlog::engine
