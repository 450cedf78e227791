#include "engine/model/membership_check.h"

#include <map>
#include <set>
#include <string>

#include "engine/model/registry_keys.h"
#include "starlog/codec/text.h"

namespace starlog::engine {

namespace {

using codec::Quoted;
using Entries = std::map<std::string, std::string, std::less<>>;  // logical key -> payload

Result<Entries> ReadFamily(const IndexReader& reader, Family family) {
  Entries out;
  STARLOG_RETURN_IF_ERROR(reader.Scan(family, "", [&](std::string_view k, std::string_view v) {
    out.emplace(std::string(k), std::string(v));
    return true;
  }));
  return out;
}

// Whether "entries" holds "key" with the UUID "id" as its payload.
bool HoldsId(const Entries& entries, const std::string& key, const codec::Uuid& id) {
  auto it = entries.find(key);
  if (it == entries.end()) return false;
  auto held = keys::DecodeUuid(it->second);
  return held.ok() && *held == id;
}

class Checker {
 public:
  Status Load(const IndexReader& reader) {
    STARLOG_ASSIGN_OR_RETURN(collections_, ReadFamily(reader, Family::kCollections));
    STARLOG_ASSIGN_OR_RETURN(datasets_, ReadFamily(reader, Family::kDatasets));
    STARLOG_ASSIGN_OR_RETURN(ids_, ReadFamily(reader, Family::kDatasetIds));
    STARLOG_ASSIGN_OR_RETURN(lookup_, ReadFamily(reader, Family::kDatasetLookup));
    STARLOG_ASSIGN_OR_RETURN(tags_, ReadFamily(reader, Family::kTags));
    STARLOG_ASSIGN_OR_RETURN(memberships_, ReadFamily(reader, Family::kDatasetTags));
    STARLOG_ASSIGN_OR_RETURN(calibrations_, ReadFamily(reader, Family::kCalibrations));
    return Status::OK();
  }

  Status CheckAll() {
    STARLOG_RETURN_IF_ERROR(CheckRunMemberships());
    STARLOG_RETURN_IF_ERROR(CheckTagMemberships());
    STARLOG_RETURN_IF_ERROR(CheckLookup());
    STARLOG_RETURN_IF_ERROR(CheckCalibrations());
    return CheckDatasetTags();
  }

 private:
  // The dataset "id" as dataset_ids holds it; Corruption naming "who" if absent.
  Result<keys::DatasetRecord> DatasetOf(const codec::Uuid& id, const std::string& who) const {
    auto it = ids_.find(keys::DatasetId(id));
    if (it == ids_.end())
      return Status::Corruption(who + " names dataset " + id.ToString() +
                                ", which dataset_ids lacks");
    return keys::DecodeDatasetRecord(it->second);
  }

  Status RequireCollectionType(const std::string& name, codec::CollectionType type,
                               const std::string& who) const {
    auto it = collections_.find(keys::Collection(name));
    if (it == collections_.end()) {
      return Status::Corruption(who + " names collection " + Quoted(name) +
                                ", which does not exist");
    }
    STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeCollection(it->second));
    if (record.type != type) {
      return Status::Corruption(who + " names " + Quoted(name) + ", which is not " +
                                std::string(codec::CollectionTypeName(type)));
    }
    return Status::OK();
  }

  // A datasets or tags entry: (collection, type, data ID) -> id.
  struct Member {
    keys::DatasetRecord at;  // "run" is the collection.
    codec::Uuid id;
    std::string who;  // For messages.
  };
  // Checks the collection's type, that dataset_ids agrees (on the RUN too,
  // in a RUN) and that the entry has its dataset_lookup entry.
  Result<Member> CheckMember(std::string_view family, std::string_view key,
                             std::string_view payload, codec::CollectionType type) const {
    Member m;
    // A tags key has the layout of a datasets key, with the collection as "run".
    STARLOG_ASSIGN_OR_RETURN(m.at, keys::DecodeDatasetKey(key));
    STARLOG_ASSIGN_OR_RETURN(m.id, keys::DecodeUuid(payload));
    m.who = std::string(family) + " entry of " + m.id.ToString() + " in " + Quoted(m.at.run);
    STARLOG_RETURN_IF_ERROR(RequireCollectionType(m.at.run, type, m.who));
    STARLOG_ASSIGN_OR_RETURN(auto record, DatasetOf(m.id, m.who));
    const bool same_run = type != codec::CollectionType::kRun || record.run == m.at.run;
    if (!same_run || record.type != m.at.type || record.data_id != m.at.data_id) {
      return Status::Corruption(m.who + " disagrees with the dataset_ids entry");
    }
    if (!HoldsId(lookup_, keys::Lookup(m.at.type, m.at.data_id, m.at.run), m.id)) {
      return Status::Corruption(m.who + " has no dataset_lookup entry");
    }
    return m;
  }

  Status CheckRunMemberships() const {
    for (const auto& [key, payload] : datasets_) {
      STARLOG_RETURN_IF_ERROR(
          CheckMember("datasets", key, payload, codec::CollectionType::kRun).status());
    }
    for (const auto& [key, payload] : ids_) {
      STARLOG_ASSIGN_OR_RETURN(auto d, keys::DecodeDatasetRecord(payload));
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(key));
      if (!HoldsId(datasets_, keys::Dataset(d.run, d.type, d.data_id), id)) {
        return Status::Corruption("dataset_ids entry of " + id.ToString() +
                                  " has no datasets entry");
      }
    }
    return Status::OK();
  }

  Status CheckTagMemberships() const {
    for (const auto& [key, payload] : tags_) {
      STARLOG_ASSIGN_OR_RETURN(auto m,
                               CheckMember("tags", key, payload, codec::CollectionType::kTagged));
      auto kind = memberships_.find(keys::Membership(m.id, m.at.run));
      if (kind == memberships_.end() || kind->second != keys::kTaggedMembership) {
        return Status::Corruption(m.who + " has no dataset_tags entry");
      }
    }
    return Status::OK();
  }

  // Every lookup entry is the RUN or a TAGGED membership of its dataset.
  Status CheckLookup() const {
    for (const auto& [key, payload] : lookup_) {
      STARLOG_ASSIGN_OR_RETURN(auto l, keys::DecodeLookup(key));
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(payload));
      if (!HoldsId(datasets_, keys::Dataset(l.collection, l.type, l.data_id), id) &&
          !HoldsId(tags_, keys::TagEntry(l.collection, l.type, l.data_id), id)) {
        return Status::Corruption("dataset_lookup entry of " + id.ToString() + " in " +
                                  Quoted(l.collection) + " has no datasets or tags entry");
      }
    }
    return Status::OK();
  }

  Status CheckCalibrations() {
    for (const auto& [key, payload] : calibrations_) {
      STARLOG_ASSIGN_OR_RETURN(auto c, keys::DecodeCalibration(key, payload));
      const std::string who =
          "calibrations entry of " + c.id.ToString() + " in " + Quoted(c.collection);
      STARLOG_RETURN_IF_ERROR(
          RequireCollectionType(c.collection, codec::CollectionType::kCalibration, who));
      STARLOG_ASSIGN_OR_RETURN(auto record, DatasetOf(c.id, who));
      if (record.type != c.type || record.data_id != c.data_id) {
        return Status::Corruption(who + " disagrees with the dataset's type or data ID");
      }
      auto kind = memberships_.find(keys::Membership(c.id, c.collection));
      if (kind == memberships_.end() || kind->second != keys::kCalibrationMembership) {
        return Status::Corruption(who + " has no dataset_tags entry");
      }
      certified_.insert(kind->first);
    }
    return Status::OK();
  }

  // REQUIRES: CheckCalibrations ran (it fills certified_).
  Status CheckDatasetTags() const {
    for (const auto& [key, kind] : memberships_) {
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(key));
      STARLOG_ASSIGN_OR_RETURN(std::string collection, keys::MembershipCollection(key));
      const std::string who =
          "dataset_tags entry of " + id.ToString() + " in " + Quoted(collection);
      if (kind == keys::kCalibrationMembership) {
        if (!certified_.count(key)) return Status::Corruption(who + " has no calibrations entry");
        continue;
      }
      if (kind != keys::kTaggedMembership) return Status::Corruption(who + " of unknown kind");
      STARLOG_ASSIGN_OR_RETURN(auto record, DatasetOf(id, who));
      if (!HoldsId(tags_, keys::TagEntry(collection, record.type, record.data_id), id)) {
        return Status::Corruption(who + " has no tags entry");
      }
    }
    return Status::OK();
  }

  Entries collections_, datasets_, ids_, lookup_, tags_, memberships_, calibrations_;
  std::set<std::string> certified_;  // dataset_tags keys some calibrations entry needs.
};

}  // namespace

Status CheckMemberships(const IndexReader& reader) {
  Checker checker;
  STARLOG_RETURN_IF_ERROR(checker.Load(reader));
  return checker.CheckAll();
}

}  // namespace starlog::engine
