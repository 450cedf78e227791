#include <algorithm>
#include <map>
#include <set>

#include "engine/model/apply_helpers.h"
#include "engine/model/apply_rules.h"
#include "engine/model/memberships.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::engine {

namespace {

// Artifact paths are relative to the repository root and stay inside it,
// outside .starlog: the one rule of repo_paths.h, for every event, replicated
// ones and the log's own during rebuild alike.
Status ValidateArtifactPath(const std::string& path) {
  return ValidateRelativePath(path).WithContext("artifact path");
}

// How an artifact is named in a message: path, size and checksum.
std::string DescribeArtifact(const std::optional<codec::Artifact>& a) {
  if (!a) return "no file";
  return "file " + Quoted(a->path) + " (" + std::to_string(a->size) + " bytes, XXH3-128 " +
         a->checksum.ToHex() + ")";
}

// Checks that every dimension value of "data_id" has its record, caching
// what it has seen within one event: a batch of a thousand datasets names a
// few hundred records, each read once. A record is known by the values of
// its keys, compared first with the last one checked of its element (one
// exposure's detectors arrive together), so a dataset costs no encoding and
// no allocation for the records it shares with the one before.
class RecordChecker {
 public:
  RecordChecker(const IndexBatch& batch, const Universe& universe)
      : batch_(batch), universe_(universe) {}

  Status Check(const codec::FieldMap& data_id) {
    for (const auto& [key, value] : data_id) {
      auto element = elements_.find(key);
      if (element == elements_.end()) {
        STARLOG_ASSIGN_OR_RETURN(auto keys, universe_.RequiredKeys({key}));
        element = elements_.emplace(key, Element{std::move(keys), {}, {}}).first;
      }
      Element& e = element->second;
      values_.clear();
      for (const std::string& k : e.keys) {
        auto it = data_id.find(k);
        if (it == data_id.end()) {
          // Encoding names the key it lacks.
          return EncodeDataIdValues(data_id, e.keys).status();
        }
        values_.push_back(it->second);
      }
      if (!e.seen.empty() && values_ == e.last) continue;
      if (!e.seen.count(values_)) {
        STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(data_id, e.keys));
        STARLOG_ASSIGN_OR_RETURN(
            auto found, batch_.Get(Family::kDimensionRecords, keys::DimensionRecord(key, values)));
        if (!found) {
          STARLOG_ASSIGN_OR_RETURN(codec::FieldMap keys_only, DecodeDataIdValues(values, e.keys));
          return Status::NotFound("no " + key + " record for {" +
                                  codec::FieldMapToString(keys_only) +
                                  "}; insert it with insert-dimension-records first");
        }
        e.seen.insert(values_);
      }
      e.last = values_;
    }
    return Status::OK();
  }

 private:
  struct Element {
    std::vector<std::string> keys;  // RequiredKeys({element}).
    std::vector<codec::FieldValue> last;
    std::set<std::vector<codec::FieldValue>> seen;  // Records found, by key values.
  };
  const IndexBatch& batch_;
  const Universe& universe_;
  std::map<std::string, Element, std::less<>> elements_;
  std::vector<codec::FieldValue> values_;  // The key values of the record checked.
};

// Whether none of "keys" (logical keys of "family") is live, shown by one
// seek over their range instead of a read per key: a batch's new keys sort
// together (UUIDv7 ids by the time they were made, an exposure's detectors
// by data ID), so their range holds no other live entry. False, and each key
// is then read alone, when the range holds a live entry, when a key repeats
// (the second is judged against the first), or when telling would step over
// more than twice as many ended entries as the batch has keys.
Result<bool> NoneLive(const IndexBatch& batch, Family family, std::vector<std::string_view> keys) {
  if (keys.size() < 2) return false;
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return false;
  STARLOG_ASSIGN_OR_RETURN(
      std::optional<bool> any,
      batch.AnyLiveIn(family, keys.front(), keys.back(), 2 * keys.size() + 16));
  return any.has_value() && !*any;
}

}  // namespace

Status ApplyRegisterDatasets(const codec::RegisterDatasets& e, ApplyContext& ctx) {
  IndexBatch& batch = ctx.batch;
  STARLOG_RETURN_IF_ERROR(
      RequireCollection(batch, e.run, codec::CollectionType::kRun, "registering datasets")
          .status());
  STARLOG_ASSIGN_OR_RETURN(auto type, RequireDatasetType(batch, e.dataset_type));
  STARLOG_ASSIGN_OR_RETURN(auto required, ctx.universe.RequiredKeys(type.dimensions));
  RecordChecker records(batch, ctx.universe);
  // Each dataset's data ID as the RUN's keys hold it; where one cannot be
  // encoded the loop below reports why, and no range is proven free.
  std::vector<std::string> data_ids, run_keys;
  std::vector<std::string_view> ids;
  for (const codec::DatasetEntry& d : e.datasets) {
    ids.push_back(d.id.AsBytes());  // keys::DatasetId: the id's bytes.
  }
  for (const codec::DatasetEntry& d : e.datasets) {
    auto encoded = EncodeDataIdValues(d.data_id, required);
    if (!encoded.ok()) break;
    run_keys.push_back(keys::Dataset(e.run, e.dataset_type, *encoded));
    data_ids.push_back(std::move(encoded).value());
  }
  const bool encoded_all = data_ids.size() == e.datasets.size();
  STARLOG_ASSIGN_OR_RETURN(const bool ids_absent, NoneLive(batch, Family::kDatasetIds, ids));
  bool run_keys_free = false;
  if (encoded_all) {
    STARLOG_ASSIGN_OR_RETURN(
        run_keys_free, NoneLive(batch, Family::kDatasets,
                                std::vector<std::string_view>(run_keys.begin(), run_keys.end())));
  }
  for (size_t i = 0; i < e.datasets.size(); ++i) {
    const codec::DatasetEntry& d = e.datasets[i];
    // Named only when something is wrong: a thousand datasets an event.
    auto where = [&d] { return "dataset " + d.id.ToString(); };
    if (d.id.IsNil()) return Status::InvalidArgument("a dataset has the nil UUID");
    if (Status s = ctx.universe.ValidateDataId(required, d.data_id); !s.ok()) {
      return s.WithContext(where());
    }
    if (Status s = records.Check(d.data_id); !s.ok()) return s.WithContext(where());
    if (d.artifact) {
      if (Status s = ValidateArtifactPath(d.artifact->path); !s.ok()) return s.WithContext(where());
    }
    std::string encoded;
    if (!encoded_all) {
      STARLOG_ASSIGN_OR_RETURN(encoded, EncodeDataIdValues(d.data_id, required));
    }
    const std::string& data_id = encoded_all ? data_ids[i] : encoded;

    std::optional<keys::DatasetRecord> same_id;
    if (!ids_absent) {
      STARLOG_ASSIGN_OR_RETURN(same_id, FindDataset(batch, d.id));
    }
    if (same_id) {
      if (same_id->run == e.run && same_id->type == e.dataset_type && same_id->data_id == data_id) {
        // The same dataset again: a no-op, unless it comes with a file that
        // is not the one recorded (another path, size or checksum).
        if (!d.artifact) continue;
        STARLOG_ASSIGN_OR_RETURN(auto existing,
                                 batch.Get(Family::kArtifacts, keys::ArtifactKey(d.id)));
        std::optional<codec::Artifact> old;
        if (existing) {
          STARLOG_ASSIGN_OR_RETURN(old, keys::DecodeArtifact(*existing));
        }
        if (old == d.artifact) continue;
        return Status::Conflict(where() + " is already registered with " + DescribeArtifact(old) +
                                ", not " + DescribeArtifact(d.artifact));
      }
      return Status::Conflict(where() + " already exists as " + same_id->type + " in run " +
                              Quoted(same_id->run));
    }
    std::optional<std::string> occupant;
    if (!run_keys_free) {
      STARLOG_ASSIGN_OR_RETURN(
          occupant, batch.Get(Family::kDatasets, keys::Dataset(e.run, e.dataset_type, data_id)));
    }
    if (occupant) {
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid other, keys::DecodeUuid(*occupant));
      return Status::Conflict("run " + Quoted(e.run) + " already holds " + e.dataset_type + " {" +
                              codec::FieldMapToString(d.data_id) + "} as dataset " +
                              other.ToString());
    }
    STARLOG_RETURN_IF_ERROR(PutRunMembership(batch, d.id, {e.run, e.dataset_type, data_id}));
    if (d.artifact) {
      // A file entry lives only with its dataset, found absent above.
      STARLOG_RETURN_IF_ERROR(batch.PutNew(Family::kArtifacts, keys::ArtifactKey(d.id),
                                           keys::EncodeArtifact(*d.artifact)));
    }
  }
  return Status::OK();
}

Status ApplyRemoveDatasets(const codec::RemoveDatasets& e, ApplyContext& ctx) {
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto record, RequireDataset(ctx.batch, id));
    STARLOG_RETURN_IF_ERROR(RemoveDatasetEverywhere(ctx.batch, id, record));
  }
  return Status::OK();
}

Status ApplyAttachArtifacts(const codec::AttachArtifacts& e, ApplyContext& ctx) {
  for (const codec::ArtifactEntry& a : e.artifacts) {
    const std::string where = "dataset " + a.id.ToString();
    STARLOG_ASSIGN_OR_RETURN(auto record, FindDataset(ctx.batch, a.id));
    if (!record) return Status::NotFound("no " + where);
    STARLOG_RETURN_IF_ERROR(ValidateArtifactPath(a.artifact.path).WithContext(where));
    STARLOG_ASSIGN_OR_RETURN(auto existing,
                             ctx.batch.Get(Family::kArtifacts, keys::ArtifactKey(a.id)));
    if (existing) {
      STARLOG_ASSIGN_OR_RETURN(auto old, keys::DecodeArtifact(*existing));
      if (old == a.artifact) continue;
      return Status::Conflict(where + " already has the file " + Quoted(old.path) +
                              "; detach it first");
    }
    STARLOG_RETURN_IF_ERROR(ctx.batch.Put(Family::kArtifacts, keys::ArtifactKey(a.id),
                                          keys::EncodeArtifact(a.artifact)));
  }
  return Status::OK();
}

Status ApplyDetachArtifacts(const codec::DetachArtifacts& e, ApplyContext& ctx) {
  for (const codec::Uuid& id : e.ids) {
    STARLOG_ASSIGN_OR_RETURN(auto existing,
                             ctx.batch.Get(Family::kArtifacts, keys::ArtifactKey(id)));
    if (!existing) return Status::NotFound("dataset " + id.ToString() + " has no file attached");
    STARLOG_RETURN_IF_ERROR(ctx.batch.Delete(Family::kArtifacts, keys::ArtifactKey(id)));
  }
  return Status::OK();
}

}  // namespace starlog::engine
