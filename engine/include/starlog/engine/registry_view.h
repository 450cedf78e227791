#pragma once

// RegistryView: the registry as it was after one event. Every lookup is index
// seeks as of that sequence (never a replay), so a view of the present and a
// view a million events back cost the same. Obtain one from
// EventStore::View(); it must not outlive its store.
//
// Thread safety: a view is immutable; it may be used from several threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/engine/data_id_packer.h"
#include "starlog/engine/universe.h"
#include "starlog/engine/where.h"
#include "starlog/result.h"

namespace starlog::engine {

struct CollectionInfo {
  std::string name;
  codec::CollectionType type = codec::CollectionType::kRun;
  std::string doc;
  std::vector<std::string> children;  // CHAINED only, in search order.
};

struct DatasetTypeInfo {
  std::string name;                     // With ".component" when one was asked for.
  std::vector<std::string> dimensions;  // Sorted.
  std::string storage_class;
  bool is_calibration = false;
};

struct DatasetRef {
  codec::Uuid id;
  std::string dataset_type;  // As asked for, with ".component" if any.
  std::string run;
  codec::FieldMap data_id;  // The required values: the dataset type's dimensions.
  std::optional<codec::Artifact> artifact;
  std::string collection;                   // Where the search found it.
  std::optional<codec::Timespan> validity;  // When found in a CALIBRATION collection.
  // The values "data_id" implies, from the records that imply them (a raw's
  // physical_filter, band and day_obs), as the butler's expanded data ID
  // has them; a value whose record is missing is absent. With data_id, the
  // full data ID.
  codec::FieldMap implied = {};
  // A temporal join's row (DatasetQuery): the data ID of the exposure (or
  // visit) whose timespan this calibration was found valid for, with its
  // implied values; empty otherwise.
  codec::FieldMap joined = {};
};

struct SnapshotInfo {
  std::string name;
  uint64_t sequence = 0;
};

struct DatasetQuery {
  std::string dataset_type;              // A name or "name.component".
  std::vector<std::string> collections;  // Names or glob patterns; chains expand in order.
  WhereClause where;
  bool find_first = true;  // The first match per data ID along the search path.
  // For CALIBRATION collections: the time (a one-nanosecond span) or span
  // whose valid calibration is wanted. Searched find-first without it, a
  // CALIBRATION collection is asked for all of time, as the butler's query
  // system does: a data ID certified more than once there is a Conflict.
  // (FindDataset without it skips them instead, as the butler's findDataset.)
  std::optional<codec::Timespan> validity;
};

// The butler's query-datasets: the datasets of several dataset types at
// once, each type searched as a DatasetQuery, in an order and up to a limit.
struct DatasetSearch {
  // Names, "type.component"s or glob patterns ("*", "cal*"); empty: every
  // type (RegistryView::MatchDatasetTypes).
  std::vector<std::string> dataset_types;
  // The collections, where clause, find-first and validity every type is
  // searched with; its dataset_type is not read.
  DatasetQuery query;
  // The order of each type's rows: data ID keys ("exposure"), dimensions
  // they imply ("band") and fields of their records ("exposure.day_obs",
  // "exposure.timespan.begin"; a bare field or "timespan.begin" when one
  // element of the data IDs alone has it), each descending when it starts
  // with "-", as the butler's order_by. A row without a value (no record)
  // comes after those with one, either way. Ties keep the search order. Ordering holds
  // a type's rows until the last is found; empty: search order, streamed.
  std::vector<std::string> order_by = {};
  // At most this many rows in all, the first in that order; 0: no limit.
  uint64_t limit = 0;
};

// The order and limit of a query of data IDs or dimension records, as the
// butler's query results' order_by and limit.
struct RowOrder {
  // Data ID keys ("exposure", or "exposure.id"), dimensions they imply
  // ("band") and fields of their records ("exposure.day_obs",
  // "exposure.timespan.begin"; a bare field or "timespan.begin" when one
  // element of the data IDs alone has it, and for records the element's
  // own), each descending when it starts with "-", as DatasetSearch::order_by.
  // A row without a value comes after those with one, either way; ties keep
  // the query's own order. Empty: that order.
  std::vector<std::string> order_by = {};
  // At most this many rows, the first in that order; 0: no limit.
  uint64_t limit = 0;
};

class RegistryView {
 public:
  class Impl;
  explicit RegistryView(std::shared_ptr<const Impl> impl);
  ~RegistryView();
  RegistryView(const RegistryView&);
  RegistryView& operator=(const RegistryView&);

  // The last event this view includes.
  uint64_t sequence() const;
  const Universe& universe() const;

  // --- collections
  Result<std::optional<CollectionInfo>> GetCollection(const std::string& name) const;
  // Collections whose names match any of "patterns" (all when empty), of the
  // given types (all when empty), sorted by name.
  Result<std::vector<CollectionInfo>> QueryCollections(
      const std::vector<std::string>& patterns,
      const std::vector<codec::CollectionType>& types = {}) const;
  // The non-chained collections a search through "names_or_patterns"
  // visits, in order, each once (its first occurrence). A plain name that
  // does not exist is NotFound; a pattern may match nothing.
  Result<std::vector<std::string>> ResolveSearchPath(
      const std::vector<std::string>& names_or_patterns) const;
  // The dataset types with datasets in any of "collections" (names or globs;
  // a chain stands for the collections it searches), sorted: the butler's
  // collection summary, exact (a seek per type, not a scan of the datasets).
  // A name that does not exist is NotFound.
  Result<std::vector<std::string>> DatasetTypesIn(
      const std::vector<std::string>& collections) const;
  // The CHAINED collections that list "name" as a child, sorted by name (a
  // seek on the chains' reverse index, not a scan of every chain).
  Result<std::vector<std::string>> ParentChains(const std::string& name) const;

  // --- dataset types
  // A name or "parent.component" (whose storage class is the component's).
  // NotFound if the parent type is unknown, or its storage class has no such
  // component (storage_classes.h).
  Result<DatasetTypeInfo> GetDatasetType(const std::string& name) const;
  // Dataset types whose names match any of "patterns" (all when empty), by
  // name; with "components", each followed by its components (those whose
  // full name, or whose parent, matches).
  Result<std::vector<DatasetTypeInfo>> QueryDatasetTypes(const std::vector<std::string>& patterns,
                                                         bool components = false) const;

  // --- datasets
  Result<std::optional<DatasetRef>> GetDataset(const codec::Uuid& id) const;
  // Every dataset's file (dataset id and artifact), in id order.
  Result<std::vector<std::pair<codec::Uuid, codec::Artifact>>> Artifacts() const;
  // The TAGGED and CALIBRATION collections holding dataset "id", by name.
  Result<std::vector<std::string>> CollectionsHolding(const codec::Uuid& id) const;
  // The validity ranges of dataset "ref" (its id, type and data ID) in the
  // CALIBRATION collection "collection", by begin: one short scan of that
  // type and data ID's certifications there. "ref" is as this view gave it:
  // NotFound for a type it does not define, InvalidArgument for a data ID
  // lacking one of the type's keys.
  Result<std::vector<codec::Timespan>> ValiditiesOf(const DatasetRef& ref,
                                                    const std::string& collection) const;

  // The first dataset of "dataset_type" with "data_id" along the search path.
  // In a CALIBRATION collection the one whose validity contains "validity"
  // (a time point is a one-nanosecond span); Conflict naming both if two
  // ranges overlap the span asked for. NotFound lists the collections searched.
  Result<DatasetRef> FindDataset(const std::string& dataset_type, const codec::FieldMap& data_id,
                                 const std::vector<std::string>& collections,
                                 std::optional<codec::Timespan> validity = std::nullopt) const;

  // The datasets "query" matches, in collection-path order, then key order
  // within each collection. An equality on data ID keys in the where clause
  // ("exposure = 7") narrows each collection's scan to the key ranges that
  // can hold it (the values of the keys before it come from their records),
  // so a query of a few rows among millions costs a few seeks.
  Result<std::vector<DatasetRef>> QueryDatasets(const DatasetQuery& query) const;
  // The same rows handed to "fn" one at a time as they are found, nothing
  // kept between them (for output that streams); "fn" returns false to stop.
  using DatasetFn = std::function<bool(DatasetRef&& ref)>;
  Status ForEachDataset(const DatasetQuery& query, const DatasetFn& fn) const;

  // The dataset types "patterns" name (DatasetSearch::dataset_types), each
  // once, by name: every type when "patterns" is empty. A name or
  // "type.component" must exist (NotFound, as GetDatasetType); a pattern may
  // match none; a malformed one is InvalidArgument.
  Result<std::vector<std::string>> MatchDatasetTypes(
      const std::vector<std::string>& patterns) const;
  // The datasets of every type "search" names, a type's rows together and
  // the types by name (as the butler groups them, one table per type): each
  // type's rows as ForEachDataset finds them, or in "order_by"'s order, at
  // most "limit" in all. InvalidArgument names an order_by name that is
  // nothing a type's data IDs have. Without order_by nothing is held
  // between rows.
  Status ForEachDataset(const DatasetSearch& search, const DatasetFn& fn) const;
  Result<std::vector<DatasetRef>> QueryDatasets(const DatasetSearch& search) const;

  // Distinct data IDs over "dimensions" satisfying "where": from the
  // dimension records, or, when "datasets" names a dataset type, from the
  // datasets of that query. Each carries its implied values too (the
  // butler's full data ID: an exposure's physical_filter, band, day_obs),
  // each absent whose record is missing. Relations (key=none elements such
  // as visit_definition) whose keys are all among the data IDs' join: "visit
  // exposure" gives each visit's exposures, not every pair.
  Result<std::vector<codec::FieldMap>> QueryDataIds(
      const std::vector<std::string>& dimensions, const WhereClause& where,
      const std::optional<DatasetQuery>& datasets = std::nullopt) const;
  // The same data IDs in "order"'s order, at most its limit. InvalidArgument
  // names an order_by name that is nothing the data IDs have.
  Result<std::vector<codec::FieldMap>> QueryDataIds(const std::vector<std::string>& dimensions,
                                                    const WhereClause& where,
                                                    const std::optional<DatasetQuery>& datasets,
                                                    const RowOrder& order) const;

  // The same data IDs handed to "fn" one at a time as they are found (for
  // output that streams), in "order"'s order, at most its limit; "fn"
  // returns false to stop. Without order_by the first row comes before the
  // second is looked for, and what is held is the records the join has read
  // (those of an element it scans, those it looked up) and, from datasets,
  // the data IDs already given (to keep them distinct) or, when the datasets
  // lack keys asked for, every dataset's data ID, found before the first
  // row; with order_by every row is held until the last, to sort them.
  // Errors as QueryDataIds', the order's before any row; an error after
  // rows were given stops the rows there.
  using FieldMapFn = std::function<bool(codec::FieldMap&& row)>;
  Status ForEachDataId(const std::vector<std::string>& dimensions, const WhereClause& where,
                       const std::optional<DatasetQuery>& datasets, const RowOrder& order,
                       const FieldMapFn& fn) const;

  // Test hook: how many (row, record) pairs QueryDataIds' joins of dimension
  // records have examined through this view (and its copies) so far. The
  // join seeks and filters as it goes, so this stays near the rows
  // answered, not the cross product of the records.
  uint64_t TEST_JoinRowsExamined() const;

  // The record of "element" whose keys (its own and those it requires) are
  // taken from "data_id"; nullopt if there is none, or a key is missing.
  Result<std::optional<codec::FieldMap>> GetDimensionRecord(const std::string& element,
                                                            const codec::FieldMap& data_id) const;

  // "data_id" with exactly "required_keys", as the butler standardizes a data
  // ID: a key the required dimensions imply (an exposure's physical_filter,
  // its physical_filter's band) is checked against the records that imply it
  // and dropped. InvalidArgument names an implied value the records
  // contradict, or a key that is neither required nor implied.
  Result<codec::FieldMap> StandardizeDataId(const std::vector<std::string>& required_keys,
                                            const codec::FieldMap& data_id) const;
  // The values "data_id" implies (DatasetRef::implied), from the records.
  Result<codec::FieldMap> ImpliedValues(const codec::FieldMap& data_id) const;
  // Records of "element" (keys and fields) satisfying "where".
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(const std::string& element,
                                                             const WhereClause& where) const;
  // The same records in "order"'s order (a bare name that is a field of
  // "element" names its own: "full_name", "timespan.begin"), at most its
  // limit. InvalidArgument names an order_by name the records lack.
  Result<std::vector<codec::FieldMap>> QueryDimensionRecords(const std::string& element,
                                                             const WhereClause& where,
                                                             const RowOrder& order) const;

  // The same records handed to "fn" as they are read, as ForEachDataId.
  Status ForEachDimensionRecord(const std::string& element, const WhereClause& where,
                                const RowOrder& order, const FieldMapFn& fn) const;

  // A packer for data IDs over "dimensions" whose string keys (instrument,
  // skymap) take the values in "fixed" (packing is per instrument, as the
  // butler's), each naming a record that exists. An integer key's bound is
  // the fixed instrument's "<key>_max" field (as the butler's: greater than
  // every value), else the universe's. InvalidArgument names a string key
  // left out of "fixed"; NotFound a fixed value with no record.
  Result<DataIdPacker> MakePacker(const std::vector<std::string>& dimensions,
                                  const codec::FieldMap& fixed) const;

  // --- access policy (policy.h); nullopt if none was ever set
  Result<std::optional<codec::SetPolicy>> Policy() const;

  // --- snapshots
  Result<std::vector<SnapshotInfo>> Snapshots() const;
  Result<std::optional<uint64_t>> SnapshotSequence(const std::string& name) const;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace starlog::engine
