#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "engine/query/registry_view_impl.h"
#include "engine/store/key_coder.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/text.h"
#include "starlog/engine/glob.h"

namespace starlog::engine {

using codec::Quoted;

namespace {

// Find-first takes the first match along an ordered path; a glob's matches
// come in name order, which says nothing about precedence, so (as the
// butler) it is refused there.
Status RequireOrderedPath(const std::vector<std::string>& collections) {
  for (const std::string& c : collections) {
    if (HasGlobCharacters(c)) {
      return Status::InvalidArgument(
          "a find-first search needs an ordered list of collections; " + Quoted(c) +
          " is a pattern, whose matches have no order: name the collections (or a chain), or "
          "search all matches (--find-all)");
    }
  }
  return Status::OK();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// One candidate found while scanning a collection.
struct Candidate {
  codec::Uuid id;
  std::string data_id;  // As the key holds it (EncodeDataIdValues).
  std::optional<codec::Timespan> validity;
};

// The key of "data_id_prefix" (the encoding of a data ID's first keys) as
// the start of every index key holding a data ID that begins so: the
// family's key for it without the string terminator (key_coder.h).
std::string OpenEnded(std::string key) {
  key.resize(key.size() - 2);
  return key;
}

// Calls "fn" with each candidate of "collection" whose data ID begins with
// one of "data_id_prefixes" (sorted; {""} for all), in key order.
template <typename Fn>
Status ScanCollection(const IndexReader& reader, const CollectionInfo& collection,
                      const std::string& type, const std::optional<codec::Timespan>& validity,
                      const std::vector<std::string>& data_id_prefixes, Fn&& fn) {
  Status failure;
  bool stopped = false;
  for (const std::string& data_id_prefix : data_id_prefixes) {
    if (collection.type == codec::CollectionType::kCalibration) {
      STARLOG_RETURN_IF_ERROR(
          reader.Scan(Family::kCalibrations,
                      OpenEnded(keys::CalibrationPrefix(collection.name, type, data_id_prefix)),
                      [&](std::string_view k, std::string_view v) {
                        auto entry = keys::DecodeCalibration(k, v);
                        if (!entry.ok()) {
                          failure = entry.status();
                          return false;
                        }
                        if (validity && !entry->validity.Overlaps(*validity)) return true;
                        Result<bool> more =
                            fn(Candidate{entry->id, std::move(entry->data_id), entry->validity});
                        if (!more.ok()) failure = more.status();
                        stopped = !more.ok() || !*more;
                        return !stopped;
                      }));
    } else {
      const bool run = collection.type == codec::CollectionType::kRun;
      STARLOG_RETURN_IF_ERROR(reader.Scan(
          run ? Family::kDatasets : Family::kTags,
          OpenEnded(run ? keys::Dataset(collection.name, type, data_id_prefix)
                        : keys::TagEntry(collection.name, type, data_id_prefix)),
          [&](std::string_view k, std::string_view v) {
            auto key = keys::DecodeDatasetKey(k);  // Tags keys share the layout.
            auto id = keys::DecodeUuid(v);
            if (!key.ok() || !id.ok()) {
              failure = Status::Corruption("dataset entry");
              return false;
            }
            Result<bool> more = fn(Candidate{*id, std::move(key->data_id), std::nullopt});
            if (!more.ok()) failure = more.status();
            stopped = !more.ok() || !*more;
            return !stopped;
          }));
    }
    STARLOG_RETURN_IF_ERROR(failure);
    if (stopped) break;
  }
  return Status::OK();
}

// The data-ID prefixes (sorted encodings of values of "required"'s first
// keys) whose key ranges hold every data ID with the values "fixed" gives:
// up to the last fixed key, each key not fixed takes the values its records
// have (a dataset's every value has its record, and records are never
// removed), combined with those before it where the records agree. {""}, the
// whole range, when nothing is fixed or the combinations pass a bound.
Result<std::vector<std::string>> DataIdPrefixes(const IndexReader& reader,
                                                const std::vector<std::string>& required,
                                                const codec::FieldMap& fixed) {
  constexpr size_t kMaxPrefixes = 4096;  // Past this, one scan reads less.
  const std::vector<std::string> all = {""};
  size_t last = required.size();
  for (size_t i = 0; i < required.size(); ++i) {
    if (fixed.count(required[i])) last = i;
  }
  if (last == required.size()) return all;
  std::vector<codec::FieldMap> partials = {codec::FieldMap()};
  for (size_t i = 0; i <= last; ++i) {
    const std::string& key = required[i];
    if (auto f = fixed.find(key); f != fixed.end()) {
      for (codec::FieldMap& p : partials) p.emplace(key, f->second);
      continue;
    }
    std::vector<codec::FieldMap> records;
    const size_t budget = kMaxPrefixes / partials.size() + 1;
    STARLOG_RETURN_IF_ERROR(ScanRecords(reader, key, [&](codec::FieldMap&& record) {
      records.push_back(std::move(record));
      return records.size() <= budget;
    }));
    if (records.size() > budget) return all;
    std::vector<codec::FieldMap> next;
    for (const codec::FieldMap& p : partials) {
      for (const codec::FieldMap& r : records) {
        auto own = r.find(key);
        if (own == r.end()) return all;  // A record without its key: not ours to judge.
        const bool agrees = std::all_of(r.begin(), r.end(), [&](const auto& field) {
          auto have = p.find(field.first);
          auto pinned = fixed.find(field.first);
          return (have == p.end() || have->second == field.second) &&
                 (pinned == fixed.end() || pinned->second == field.second);
        });
        if (!agrees) continue;
        codec::FieldMap extended = p;
        extended.emplace(key, own->second);
        next.push_back(std::move(extended));
        if (next.size() > kMaxPrefixes) return all;
      }
    }
    partials = std::move(next);
  }
  const std::vector<std::string> leading(required.begin(), required.begin() + last + 1);
  std::vector<std::string> out;
  out.reserve(partials.size());
  for (const codec::FieldMap& p : partials) {
    STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(p, leading));
    out.push_back(std::move(values));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Fills "ref->artifact" from the index, if the dataset has a file.
Status ReadArtifact(const IndexReader& reader, DatasetRef* ref) {
  STARLOG_ASSIGN_OR_RETURN(auto artifact,
                           reader.Get(Family::kArtifacts, keys::ArtifactKey(ref->id)));
  if (artifact) {
    STARLOG_ASSIGN_OR_RETURN(ref->artifact, keys::DecodeArtifact(*artifact));
  }
  return Status::OK();
}

// The entries of CALIBRATION collection "collection" for (type, data ID)
// whose validity overlaps "span"; at most two (two are already a conflict).
// A data ID's validity ranges never overlap within a collection (certify
// refuses that), so of those beginning at or before the span's start only
// the last can reach into it: one seek backwards. Those beginning inside the
// span come after it, in one seek forwards, which a lookup at a time (a
// one-nanosecond span) does not need. Not a scan of every epoch.
Result<std::vector<keys::CalibrationValidity>> CalibrationsAt(const IndexReader& reader,
                                                              const std::string& collection,
                                                              const std::string& type,
                                                              const std::string& data_id_bytes,
                                                              const codec::Timespan& span) {
  const std::string prefix = keys::CalibrationPrefix(collection, type, data_id_bytes);
  const int64_t t = span.begin;
  const bool at_end_of_time = t == std::numeric_limits<int64_t>::max();
  const std::string after_start =
      at_end_of_time ? prefix + std::string(17, '\xff')  // Past every key under the prefix.
                     : keys::Calibration(collection, type, data_id_bytes, t + 1);
  std::vector<keys::CalibrationValidity> matches;
  STARLOG_ASSIGN_OR_RETURN(auto earlier,
                           reader.LastBefore(Family::kCalibrations, prefix, after_start));
  if (earlier) {
    STARLOG_ASSIGN_OR_RETURN(
        auto entry, keys::DecodeCalibrationValidity(earlier->logical_key, earlier->payload));
    if (entry.validity.Overlaps(span)) matches.push_back(entry);
  }
  if (at_end_of_time || span.end <= t + 1) return matches;
  Status failure;
  STARLOG_RETURN_IF_ERROR(reader.ScanFrom(Family::kCalibrations, prefix, after_start,
                                          [&](std::string_view k, std::string_view v) {
                                            auto entry = keys::DecodeCalibrationValidity(k, v);
                                            if (!entry.ok()) {
                                              failure = entry.status();
                                              return false;
                                            }
                                            if (entry->validity.begin >= span.end) return false;
                                            if (entry->validity.Overlaps(span))
                                              matches.push_back(*entry);
                                            return matches.size() < 2;
                                          }));
  STARLOG_RETURN_IF_ERROR(failure);
  return matches;
}

// The RUN of dataset "id", which the index names (a TAGGED or CALIBRATION
// collection's entry), once per view.
Result<std::string> RunOf(const RegistryView::Impl& impl, const IndexReader& reader,
                          const codec::Uuid& id) {
  const std::string memo_key(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  if (auto cached = impl.runs.Get(memo_key)) return *cached;
  STARLOG_ASSIGN_OR_RETURN(auto payload, reader.Get(Family::kDatasetIds, keys::DatasetId(id)));
  if (!payload) return Status::Corruption("index names dataset " + id.ToString() + ", absent");
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetRecord(*payload));
  impl.runs.Put(memo_key, record.run);
  return std::move(record.run);
}

// "collections" resolved (ResolveSearchPath) with the types of what it holds,
// once per view.
Result<std::shared_ptr<const RegistryView::Impl::SearchPath>> SearchPathOf(
    const RegistryView& view, const RegistryView::Impl& impl,
    const std::vector<std::string>& collections) {
  std::string key;
  for (const std::string& c : collections) key.append(c).push_back('\0');
  if (auto cached = impl.search_paths.Get(key)) return *cached;
  RegistryView::Impl::SearchPath resolved;
  STARLOG_ASSIGN_OR_RETURN(resolved.names, view.ResolveSearchPath(collections));
  for (const std::string& name : resolved.names) {
    STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(name));
    // Resolved paths hold only existing RUN, TAGGED and CALIBRATION collections.
    if (!info) return Status::Corruption("search path names a missing collection");
    resolved.types.push_back(info->type);
    if (info->type != codec::CollectionType::kCalibration) resolved.any_run_or_tagged = true;
  }
  auto path = std::make_shared<const RegistryView::Impl::SearchPath>(std::move(resolved));
  impl.search_paths.Put(key, path);
  return path;
}

// The data ID keys of dataset type "type" (Universe::RequiredKeys of its
// dimensions), once per view.
Result<std::shared_ptr<const std::vector<std::string>>> TypeKeys(const RegistryView::Impl& impl,
                                                                 const std::string& parent,
                                                                 const DatasetTypeInfo& type) {
  if (auto cached = impl.type_keys.Get(parent)) return *cached;
  STARLOG_ASSIGN_OR_RETURN(auto keys, impl.universe().RequiredKeys(type.dimensions));
  auto required = std::make_shared<const std::vector<std::string>>(std::move(keys));
  impl.type_keys.Put(parent, required);
  return required;
}

// Dataset "id" with its implied values, read through "records"; nullopt if
// there is no such dataset.
Result<std::optional<DatasetRef>> ReadDataset(const RegistryView& view,
                                              const RegistryView::Impl& impl, RecordCache& records,
                                              const codec::Uuid& id) {
  const IndexReader reader = impl.reader();
  STARLOG_ASSIGN_OR_RETURN(auto payload, reader.Get(Family::kDatasetIds, keys::DatasetId(id)));
  if (!payload) return std::optional<DatasetRef>();
  STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetRecord(*payload));
  DatasetRef ref;
  ref.id = id;
  ref.dataset_type = record.type;
  ref.run = record.run;
  ref.collection = record.run;
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, view.GetDatasetType(record.type));
  STARLOG_ASSIGN_OR_RETURN(auto keys, TypeKeys(impl, record.type, type));
  STARLOG_ASSIGN_OR_RETURN(ref.data_id, DecodeDataIdValues(record.data_id, *keys));
  STARLOG_ASSIGN_OR_RETURN(ref.implied, ImpliedValuesOf(impl.universe(), records, ref.data_id));
  STARLOG_RETURN_IF_ERROR(ReadArtifact(reader, &ref));
  return std::optional<DatasetRef>(std::move(ref));
}

}  // namespace

Result<std::optional<DatasetRef>> RegistryView::GetDataset(const codec::Uuid& id) const {
  RecordCache records(*impl_);
  return ReadDataset(*this, *impl_, records, id);
}

Result<std::vector<std::string>> RegistryView::CollectionsHolding(const codec::Uuid& id) const {
  std::vector<std::string> out;
  Status failure;
  STARLOG_RETURN_IF_ERROR(impl_->reader().Scan(Family::kDatasetTags, keys::MembershipPrefix(id),
                                               [&](std::string_view k, std::string_view) {
                                                 auto collection = keys::MembershipCollection(k);
                                                 if (!collection.ok()) {
                                                   failure = collection.status();
                                                   return false;
                                                 }
                                                 out.push_back(std::move(collection).value());
                                                 return true;
                                               }));
  STARLOG_RETURN_IF_ERROR(failure);
  return out;
}

Result<std::vector<codec::Timespan>> RegistryView::ValiditiesOf(
    const DatasetRef& ref, const std::string& collection) const {
  std::vector<codec::Timespan> out;
  Status failure;
  const std::string parent = SplitTypeName(ref.dataset_type).parent;
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, GetDatasetType(parent));
  STARLOG_ASSIGN_OR_RETURN(auto required, TypeKeys(*impl_, parent, type));
  STARLOG_ASSIGN_OR_RETURN(std::string data_id, EncodeDataIdValues(ref.data_id, *required));
  const std::string prefix = keys::CalibrationPrefix(collection, parent, data_id);
  STARLOG_RETURN_IF_ERROR(impl_->reader().Scan(Family::kCalibrations, prefix,
                                               [&](std::string_view k, std::string_view v) {
                                                 auto entry = keys::DecodeCalibrationValidity(k, v);
                                                 if (!entry.ok()) {
                                                   failure = entry.status();
                                                   return false;
                                                 }
                                                 if (entry->id == ref.id)
                                                   out.push_back(entry->validity);
                                                 return true;
                                               }));
  STARLOG_RETURN_IF_ERROR(failure);
  return out;
}

Result<DatasetRef> RegistryView::FindDataset(const std::string& dataset_type,
                                             const codec::FieldMap& given_data_id,
                                             const std::vector<std::string>& collections,
                                             std::optional<codec::Timespan> validity) const {
  // What depends only on the type and the collections is worked out once per
  // view (the state as of a view never changes): a lookup costs its seeks.
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, GetDatasetType(dataset_type));
  const std::string parent = SplitTypeName(dataset_type).parent;
  STARLOG_ASSIGN_OR_RETURN(auto required, TypeKeys(*impl_, parent, type));
  codec::FieldMap standardized;
  const codec::FieldMap* id = &given_data_id;
  if (!universe().ValidateDataId(*required, given_data_id).ok()) {
    STARLOG_ASSIGN_OR_RETURN(standardized, StandardizeDataId(*required, given_data_id));
    id = &standardized;
  }
  const codec::FieldMap& data_id = *id;
  STARLOG_RETURN_IF_ERROR(RequireOrderedPath(collections));
  STARLOG_ASSIGN_OR_RETURN(auto search, SearchPathOf(*this, *impl_, collections));
  const std::vector<std::string>& path = search->names;
  STARLOG_ASSIGN_OR_RETURN(const std::string data_id_bytes, EncodeDataIdValues(data_id, *required));
  const IndexReader reader = impl_->reader();

  // Every RUN and TAGGED collection holding this (type, data ID), in one short
  // scan: the cost does not grow with the length of the search path. Skipped
  // when the path holds only CALIBRATION collections.
  std::vector<std::pair<std::string, codec::Uuid>> holders;
  Status failure;
  if (search->any_run_or_tagged)
    STARLOG_RETURN_IF_ERROR(
        reader.ScanFiltered(Family::kDatasetLookup, keys::LookupPrefix(parent, data_id_bytes),
                            [&](std::string_view k, std::string_view v) {
                              auto key = keys::DecodeLookup(k);
                              auto id = keys::DecodeUuid(v);
                              if (!key.ok() || !id.ok()) {
                                failure = Status::Corruption("dataset_lookup entry");
                                return false;
                              }
                              holders.emplace_back(std::move(key->collection), *id);
                              return true;
                            }));
  STARLOG_RETURN_IF_ERROR(failure);

  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& name = path[i];
    const codec::CollectionType collection_type = search->types[i];
    DatasetRef ref;
    auto holder = std::find_if(holders.begin(), holders.end(),
                               [&](const auto& h) { return h.first == name; });
    if (holder != holders.end()) {
      ref.id = holder->second;
    } else if (type.is_calibration && collection_type == codec::CollectionType::kCalibration) {
      // Without a time a CALIBRATION collection has no one answer; Gen3's
      // findDataset then does not search it, and neither does this.
      if (!validity) continue;
      STARLOG_ASSIGN_OR_RETURN(auto matches,
                               CalibrationsAt(reader, name, parent, data_id_bytes, *validity));
      if (matches.size() > 1) {
        return Status::Conflict(dataset_type + " {" + codec::FieldMapToString(data_id) +
                                "}: " + codec::TimespanToString(*validity) +
                                " falls in more than one validity range in " + Quoted(name) +
                                ": dataset " + matches[0].id.ToString() + " " +
                                codec::TimespanToString(matches[0].validity) + " and dataset " +
                                matches[1].id.ToString() + " " +
                                codec::TimespanToString(matches[1].validity));
      }
      if (matches.empty()) continue;
      ref.id = matches[0].id;
      ref.validity = matches[0].validity;
    } else {
      continue;
    }
    // The type and data ID are the ones asked for. Found in its RUN, the run
    // is known too, and the dataset's record need not be read.
    ref.dataset_type = dataset_type;
    ref.data_id = data_id;
    {
      RecordCache records(*impl_);
      STARLOG_ASSIGN_OR_RETURN(ref.implied, ImpliedValuesOf(universe(), records, data_id));
    }
    ref.collection = name;
    if (collection_type == codec::CollectionType::kRun) {
      ref.run = name;
    } else {
      STARLOG_ASSIGN_OR_RETURN(ref.run, RunOf(*impl_, reader, ref.id));
    }
    STARLOG_RETURN_IF_ERROR(ReadArtifact(reader, &ref));
    return ref;
  }
  return Status::NotFound(
      "no " + dataset_type + " {" + codec::FieldMapToString(data_id) + "}" +
      (validity ? " valid in " + codec::TimespanToString(*validity) : "") +
      " in the collections searched: " + (path.empty() ? std::string("(none)") : JoinNames(path)));
}

Result<std::vector<DatasetRef>> RegistryView::QueryDatasets(const DatasetQuery& query) const {
  std::vector<DatasetRef> out;
  STARLOG_RETURN_IF_ERROR(ForEachDataset(query, [&](DatasetRef&& ref) {
    out.push_back(std::move(ref));
    return true;
  }));
  return out;
}

Status RegistryView::ForEachDataset(const DatasetQuery& query, const DatasetFn& fn) const {
  STARLOG_ASSIGN_OR_RETURN(DatasetTypeInfo type, GetDatasetType(query.dataset_type));
  const std::string parent = SplitTypeName(query.dataset_type).parent;
  STARLOG_ASSIGN_OR_RETURN(auto required, universe().RequiredKeys(type.dimensions));
  STARLOG_ASSIGN_OR_RETURN(auto joined, QueryJoinedDatasets(*this, query, type, required));
  if (joined) {
    for (DatasetRef& ref : *joined) {
      if (!fn(std::move(ref))) break;
    }
    return Status::OK();
  }
  STARLOG_ASSIGN_OR_RETURN(BoundWhere where, BoundWhere::Bind(universe(), query.where, required,
                                                              nullptr, /*datasets=*/true));
  if (query.find_first) STARLOG_RETURN_IF_ERROR(RequireOrderedPath(query.collections));
  STARLOG_ASSIGN_OR_RETURN(auto path, ResolveSearchPath(query.collections));
  const IndexReader reader = impl_->reader();
  STARLOG_ASSIGN_OR_RETURN(auto prefixes, DataIdPrefixes(reader, required, where.FixedKeys()));
  RecordCache records(*impl_);
  // Data IDs already found (find-first), kept only while a later collection
  // of the path could find them again: a search of one collection (each
  // data ID once in it) keeps none.
  std::set<std::string> seen;
  bool stopped = false;
  for (size_t p = 0; p < path.size(); ++p) {
    if (stopped) break;
    const std::string& name = path[p];
    const bool remember = query.find_first && p + 1 < path.size();
    STARLOG_ASSIGN_OR_RETURN(auto info, GetCollection(name));
    if (!info) continue;
    if (info->type == codec::CollectionType::kCalibration && !type.is_calibration) continue;
    const bool in_run = info->type == codec::CollectionType::kRun;
    // A find-first search of a CALIBRATION collection answers each data ID
    // with its one certification overlapping the time asked (all of time
    // when none is, as the butler's query system): a second is an ambiguity,
    // so each row is held until the next key shows it was the only one
    // (a data ID's certifications are adjacent in the index).
    const bool hold = query.find_first && info->type == codec::CollectionType::kCalibration;
    std::optional<DatasetRef> held;
    std::string held_key;
    STARLOG_RETURN_IF_ERROR(ScanCollection(
        reader, *info, parent, query.validity, prefixes, [&](Candidate&& c) -> Result<bool> {
          if (hold && held && c.data_id == held_key) {
            return Status::Conflict(
                query.dataset_type + " {" + codec::FieldMapToString(held->data_id) + "}: " +
                (query.validity ? codec::TimespanToString(*query.validity) + " falls"
                                : std::string("with no time given, all of time falls")) +
                " in more than one validity range in " + Quoted(name) + ": dataset " +
                held->id.ToString() + " " + codec::TimespanToString(*held->validity) +
                " and dataset " + c.id.ToString() + " " + codec::TimespanToString(*c.validity) +
                "; give --time or --timespan");
          }
          if (!seen.empty() && seen.count(c.data_id)) return true;
          DatasetRef ref;
          STARLOG_ASSIGN_OR_RETURN(ref.data_id, DecodeDataIdValues(c.data_id, required));
          const BoundWhere::IngestDateFn ingest_date = [&] { return impl_->IngestDate(c.id); };
          STARLOG_ASSIGN_OR_RETURN(bool match, where.Matches(ref.data_id, records, ingest_date));
          if (!match) return true;
          if (remember) seen.insert(hold ? c.data_id : std::move(c.data_id));
          ref.id = c.id;
          ref.dataset_type = query.dataset_type;
          ref.collection = name;
          ref.validity = c.validity;
          // The key gave the type and data ID, and in a RUN the run: only
          // a dataset found elsewhere needs its record, for its run.
          if (in_run) {
            ref.run = name;
          } else {
            STARLOG_ASSIGN_OR_RETURN(auto payload,
                                     reader.Get(Family::kDatasetIds, keys::DatasetId(c.id)));
            if (!payload) {
              return Status::Corruption("index names dataset " + c.id.ToString() + ", absent");
            }
            STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDatasetRecord(*payload));
            ref.run = std::move(record.run);
          }
          STARLOG_ASSIGN_OR_RETURN(ref.implied, ImpliedValuesOf(universe(), records, ref.data_id));
          STARLOG_RETURN_IF_ERROR(ReadArtifact(reader, &ref));
          if (hold) {
            if (held) stopped = !fn(std::move(*held));
            held_key = c.data_id;
            held = std::move(ref);
          } else {
            stopped = !fn(std::move(ref));
          }
          return !stopped;
        }));
    if (held && !stopped) stopped = !fn(std::move(*held));
  }
  return Status::OK();
}

uint64_t RegistryView::TEST_JoinRowsExamined() const {
  return impl_->join_rows_examined.load(std::memory_order_relaxed);
}

}  // namespace starlog::engine
