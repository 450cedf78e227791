#include "starlog/engine/diff.h"

#include <map>
#include <set>
#include <tuple>

#include "starlog/codec/event_codec.h"

namespace starlog::engine {

namespace {

// What the events in between touched, to compare at both ends.
struct Touched {
  std::set<std::string> collections;
  std::set<std::string> types;
  std::set<codec::Uuid> datasets;
  std::set<std::string> membership_collections;  // TAGGED or CALIBRATION contents changed.
  std::set<std::string> removed_runs;
  std::set<std::string> snapshots;
  std::set<codec::Uuid> artifacts;  // Datasets whose file was attached or detached.
  bool policy = false;
  std::map<std::string, std::vector<codec::FieldMap>> records;  // element -> inserted records
};

void Collect(const codec::Event& event, Touched* t) {
  // Every event type has a branch: a new one fails to compile here until
  // diff says what it changes.
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, codec::InitRepository>) {
          // The repository's identity and universe: nothing a diff compares.
        } else if constexpr (std::is_same_v<T, codec::CreateCollection>) {
          t->collections.insert(e.name);
        } else if constexpr (std::is_same_v<T, codec::RemoveCollection>) {
          t->collections.insert(e.name);
          t->membership_collections.insert(e.name);
          t->removed_runs.insert(e.name);
        } else if constexpr (std::is_same_v<T, codec::SetChain>) {
          t->collections.insert(e.name);
        } else if constexpr (std::is_same_v<T, codec::RegisterDatasetType> ||
                             std::is_same_v<T, codec::RemoveDatasetType>) {
          t->types.insert(e.name);
        } else if constexpr (std::is_same_v<T, codec::RegisterDatasets>) {
          for (const auto& d : e.datasets) t->datasets.insert(d.id);
        } else if constexpr (std::is_same_v<T, codec::RemoveDatasets>) {
          for (const auto& id : e.ids) t->datasets.insert(id);
        } else if constexpr (std::is_same_v<T, codec::AttachArtifacts>) {
          for (const auto& a : e.artifacts) t->artifacts.insert(a.id);
        } else if constexpr (std::is_same_v<T, codec::DetachArtifacts>) {
          for (const auto& id : e.ids) t->artifacts.insert(id);
        } else if constexpr (std::is_same_v<T, codec::Tag> || std::is_same_v<T, codec::Untag>) {
          t->membership_collections.insert(e.collection);
        } else if constexpr (std::is_same_v<T, codec::Certify> ||
                             std::is_same_v<T, codec::Decertify>) {
          t->membership_collections.insert(e.collection);
        } else if constexpr (std::is_same_v<T, codec::InsertDimensionRecords>) {
          auto& list = t->records[e.element];
          list.insert(list.end(), e.records.begin(), e.records.end());
        } else if constexpr (std::is_same_v<T, codec::CreateSnapshot>) {
          t->snapshots.insert(e.name);
        } else {
          static_assert(std::is_same_v<T, codec::SetPolicy>, "diff needs a branch per event type");
          t->policy = true;
        }
      },
      event.body);
}

using MemberKey = std::tuple<codec::Uuid, int64_t, int64_t>;

// Every membership of "collection" (TAGGED or CALIBRATION) as of "view".
Result<std::map<MemberKey, DatasetRef>> Members(const RegistryView& view,
                                                const std::string& collection) {
  std::map<MemberKey, DatasetRef> out;
  STARLOG_ASSIGN_OR_RETURN(auto info, view.GetCollection(collection));
  if (!info || info->type == codec::CollectionType::kRun ||
      info->type == codec::CollectionType::kChained) {
    return out;
  }
  STARLOG_ASSIGN_OR_RETURN(auto types, view.QueryDatasetTypes({}));
  for (const auto& type : types) {
    STARLOG_ASSIGN_OR_RETURN(
        auto refs, view.QueryDatasets({type.name, {collection}, {}, false, std::nullopt}));
    for (auto& r : refs) {
      const codec::Timespan span = r.validity.value_or(codec::Timespan{0, 0});
      out.emplace(MemberKey{r.id, span.begin, span.end}, std::move(r));
    }
  }
  return out;
}

}  // namespace

Result<RegistryDiff> DiffRegistry(const EventStore& store, uint64_t from, uint64_t to) {
  const uint64_t head = store.head().sequence;
  if (from > to || to > head) {
    return Status::InvalidArgument("diff from " + std::to_string(from) + " to " +
                                   std::to_string(to) +
                                   ": need from <= to <= " + std::to_string(head));
  }
  RegistryDiff diff;
  diff.from = from;
  diff.to = to;
  Touched touched;
  for (uint64_t next = from + 1; next <= to;) {
    STARLOG_ASSIGN_OR_RETURN(auto records,
                             store.ReadLog(next, std::min<uint64_t>(4096, to - next + 1)));
    if (records.empty()) break;
    for (const LogRecord& r : records) {
      STARLOG_ASSIGN_OR_RETURN(codec::Event event, codec::DecodeEventFrame(r.frame));
      Collect(event, &touched);
    }
    next = records.back().sequence + 1;
  }
  STARLOG_ASSIGN_OR_RETURN(RegistryView before, store.View(from));
  STARLOG_ASSIGN_OR_RETURN(RegistryView after, store.View(to));

  for (const std::string& name : touched.collections) {
    STARLOG_ASSIGN_OR_RETURN(auto a, before.GetCollection(name));
    STARLOG_ASSIGN_OR_RETURN(auto b, after.GetCollection(name));
    const bool same =
        a.has_value() == b.has_value() &&
        (!a || (a->type == b->type && a->doc == b->doc && a->children == b->children));
    if (!same) diff.collections.push_back({name, a, b});
  }
  for (const std::string& name : touched.types) {
    auto a = before.GetDatasetType(name);
    auto b = after.GetDatasetType(name);
    if (a.ok() && !b.ok()) diff.types_removed.push_back(*a);
    if (!a.ok() && b.ok()) diff.types_added.push_back(*b);
  }
  // Runs removed with their datasets: their contents at "from" are candidates.
  for (const std::string& run : touched.removed_runs) {
    STARLOG_ASSIGN_OR_RETURN(auto info, before.GetCollection(run));
    if (!info || info->type != codec::CollectionType::kRun) continue;
    STARLOG_ASSIGN_OR_RETURN(auto types, before.QueryDatasetTypes({}));
    for (const auto& type : types) {
      STARLOG_ASSIGN_OR_RETURN(auto refs,
                               before.QueryDatasets({type.name, {run}, {}, false, std::nullopt}));
      for (const auto& r : refs) touched.datasets.insert(r.id);
    }
  }
  for (const codec::Uuid& id : touched.datasets) {
    STARLOG_ASSIGN_OR_RETURN(auto a, before.GetDataset(id));
    STARLOG_ASSIGN_OR_RETURN(auto b, after.GetDataset(id));
    if (a && !b) diff.datasets_removed.push_back(*a);
    if (!a && b) diff.datasets_added.push_back(*b);
  }
  // A pruned dataset also left the TAGGED and CALIBRATION collections holding it.
  for (const DatasetRef& removed : diff.datasets_removed) {
    STARLOG_ASSIGN_OR_RETURN(auto holders, before.CollectionsHolding(removed.id));
    touched.membership_collections.insert(holders.begin(), holders.end());
  }
  for (const std::string& collection : touched.membership_collections) {
    STARLOG_ASSIGN_OR_RETURN(auto a, Members(before, collection));
    STARLOG_ASSIGN_OR_RETURN(auto b, Members(after, collection));
    for (const auto& [key, ref] : b) {
      if (!a.count(key)) {
        diff.memberships.push_back(
            {collection, ref.id, ref.dataset_type, ref.data_id, ref.validity, true});
      }
    }
    for (const auto& [key, ref] : a) {
      if (!b.count(key)) {
        diff.memberships.push_back(
            {collection, ref.id, ref.dataset_type, ref.data_id, ref.validity, false});
      }
    }
  }
  // Each inserted record read by its key at both ends: a seek each, not a
  // scan of the element per record.
  for (const auto& [element, inserted] : touched.records) {
    std::set<std::string> seen;
    for (const codec::FieldMap& r : inserted) {
      if (!seen.insert(EncodeDataId(r)).second) continue;
      STARLOG_ASSIGN_OR_RETURN(auto a, before.GetDimensionRecord(element, r));
      STARLOG_ASSIGN_OR_RETURN(auto b, after.GetDimensionRecord(element, r));
      if (!b || a == b) continue;
      diff.records.push_back({element, std::move(a), std::move(*b)});
    }
  }
  // Files attached or detached, of datasets there at both ends (a dataset
  // added or removed in between brings its file with it).
  for (const codec::Uuid& id : touched.artifacts) {
    STARLOG_ASSIGN_OR_RETURN(auto a, before.GetDataset(id));
    STARLOG_ASSIGN_OR_RETURN(auto b, after.GetDataset(id));
    if (!a || !b || a->artifact == b->artifact) continue;
    diff.artifacts.push_back({id, b->dataset_type, b->data_id, a->artifact, b->artifact});
  }
  if (touched.policy) {
    STARLOG_ASSIGN_OR_RETURN(auto a, before.Policy());
    STARLOG_ASSIGN_OR_RETURN(auto b, after.Policy());
    if (a != b) diff.policy = PolicyChange{std::move(a), std::move(b)};
  }
  for (const std::string& name : touched.snapshots) {
    STARLOG_ASSIGN_OR_RETURN(auto a, before.SnapshotSequence(name));
    STARLOG_ASSIGN_OR_RETURN(auto b, after.SnapshotSequence(name));
    if (!a && b) diff.snapshots_added.push_back({name, *b});
  }
  return diff;
}

}  // namespace starlog::engine
