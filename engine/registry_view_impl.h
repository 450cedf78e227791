#pragma once

// What a RegistryView holds, and the helpers its query files share.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/db_handles.h"
#include "engine/iterator_cache.h"
#include "engine/registry_keys.h"
#include "engine/versioned_index.h"
#include "starlog/engine/registry_view.h"

namespace starlog::engine {

class RegistryView::Impl {
 public:
  Impl(DbHandles handles, uint64_t as_of, std::shared_ptr<const Universe> universe)
      : handles_(handles),
        as_of_(as_of),
        universe_(std::move(universe)),
        iterators_(std::make_unique<IteratorCache>(handles_)) {}

  const IndexReader reader() const { return IndexReader(handles_, as_of_, iterators_.get()); }
  uint64_t as_of() const { return as_of_; }
  const Universe& universe() const { return *universe_; }

  // What a view has read once it need not read again: the state as of a
  // sequence never changes. Collections (with children) and dataset types.
  std::optional<std::optional<CollectionInfo>> CachedCollection(const std::string& name) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = collections_.find(name);
    if (it == collections_.end()) return std::nullopt;
    return it->second;
  }
  void CacheCollection(const std::string& name, const std::optional<CollectionInfo>& info) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    collections_.emplace(name, info);
  }
  std::optional<DatasetTypeInfo> CachedType(const std::string& name) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = types_.find(name);
    if (it == types_.end()) return std::nullopt;
    return it->second;
  }
  void CacheType(const std::string& name, const DatasetTypeInfo& info) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    types_.emplace(name, info);
  }

  // A search path as FindDataset uses it: the collections it expands to,
  // with their types. Keyed by the names (or patterns) asked for.
  struct SearchPath {
    std::vector<std::string> names;
    std::vector<codec::CollectionType> types;
    bool any_run_or_tagged = false;
  };
  std::shared_ptr<const SearchPath> CachedPath(const std::string& key) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = paths_.find(key);
    return it == paths_.end() ? nullptr : it->second;
  }
  void CachePath(const std::string& key, std::shared_ptr<const SearchPath> path) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    paths_.emplace(key, std::move(path));
  }
  // The data ID keys a dataset type's data IDs have (Universe::RequiredKeys).
  std::shared_ptr<const std::vector<std::string>> CachedKeys(const std::string& type) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = type_keys_.find(type);
    return it == type_keys_.end() ? nullptr : it->second;
  }
  void CacheKeys(const std::string& type, std::shared_ptr<const std::vector<std::string>> k) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    type_keys_.emplace(type, std::move(k));
  }

 private:
  DbHandles handles_;
  uint64_t as_of_;
  std::shared_ptr<const Universe> universe_;
  std::unique_ptr<IteratorCache> iterators_;
  mutable std::mutex cache_mu_;
  mutable std::map<std::string, std::optional<CollectionInfo>> collections_;
  mutable std::map<std::string, DatasetTypeInfo> types_;
  mutable std::map<std::string, std::shared_ptr<const SearchPath>> paths_;
  mutable std::map<std::string, std::shared_ptr<const std::vector<std::string>>> type_keys_;
};

// "calexp.wcs" -> parent "calexp", component "wcs".
struct TypeName {
  std::string parent;
  std::string component;
};
TypeName SplitTypeName(const std::string& name);

// Records looked up while evaluating where clauses, cached per query.
class RecordCache {
 public:
  explicit RecordCache(const RegistryView::Impl& view) : view_(view) {}
  // The record of "element" whose keys come from "data_id"; null if absent.
  Result<const codec::FieldMap*> Get(const std::string& element, const codec::FieldMap& data_id);

 private:
  const RegistryView::Impl& view_;
  std::map<std::string, std::optional<codec::FieldMap>> cache_;
};

// A where clause checked against the keys of some data IDs: each term knows
// whether it reads the data ID itself or an element's record.
class BoundWhere {
 public:
  // InvalidArgument names a term whose field is unknown for data IDs with
  // "keys", or whose values have the wrong type.
  static Result<BoundWhere> Bind(const Universe& universe, const WhereClause& where,
                                 const std::vector<std::string>& keys);
  Result<bool> Matches(const codec::FieldMap& data_id, RecordCache& records) const;
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    const WhereTerm* term;
    // The records to read, in order: the first is keyed by the data ID, each
    // next one is implied by the one before (exposure -> physical_filter).
    // Empty: the value is the data ID's own.
    std::vector<std::string> path;
    std::string field;
  };
  std::vector<Term> terms_;
  WhereClause where_;  // Owns the terms pointed to.
};

}  // namespace starlog::engine
