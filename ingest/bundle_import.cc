#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ingest/bounded_read.h"
#include "ingest/bundle_content.h"
#include "ingest/bundle_lines.h"
#include "ingest/bundle_plan.h"
#include "ingest/bundle_stream_import.h"
#include "starlog/codec/text.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/bundle.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

using internal::BundleContent;
using internal::BundleDataset;

Result<std::string> ReadBundleJson(const std::string& from) {
  const std::string path = (fs::path(from) / "bundle.json").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return Status::NotFound("no " + std::string(internal::kBundleLinesFile) +
                            " or bundle.json in " + from);
  }
  return internal::ReadBoundedFile(path, internal::kMaxBundleJsonBytes);
}

// Every file the content names: inside the target's root and the folder it
// is read from (a bundle's files/ holds no link out of it; a repository's
// file may be one, as the symlink modes make), and byte for byte what the
// content records.
Status CheckFiles(const engine::EventStore& store, const BundleContent& bundle,
                  const internal::ContentSource& source, const engine::ProgressFn& progress) {
  std::map<std::string, const codec::Artifact*> paths;
  for (const BundleDataset& d : bundle.datasets) {
    if (!d.artifact) continue;
    auto [it, fresh] = paths.emplace(d.artifact->path, &*d.artifact);
    if (!fresh &&
        (it->second->size != d.artifact->size || it->second->checksum != d.artifact->checksum)) {
      return Status::InvalidArgument(source.name + " file " + codec::Printable(d.artifact->path) +
                                     " is recorded with two sizes or checksums");
    }
  }
  size_t checked = 0;
  for (const auto& [path, artifact] : paths) {
    if (!source.repository) {
      STARLOG_RETURN_IF_ERROR(internal::CheckBundleFile(store.root(), source.files, *artifact));
      if (progress) progress(++checked, paths.size());
      continue;
    }
    const std::string where = source.name + " file " + codec::Printable(path);
    STARLOG_RETURN_IF_ERROR(engine::CheckTargetInRoot(store.root(), path).WithContext(where));
    // A file of another size is refused before it is read: a hostile source
    // could name a huge one.
    if (engine::CheckArtifactInRoot(source.files, path).ok()) {
      std::error_code ec;
      const uintmax_t size = fs::file_size(fs::path(source.files) / path, ec);
      if (!ec && size != artifact->size) {
        return Status::Corruption(where + " is " + std::to_string(size) + " bytes, not the " +
                                  std::to_string(artifact->size) + " recorded; nothing was " +
                                  source.verb);
      }
    }
    auto there = engine::DescribeFileInRoot(source.files, path);
    if (!there.ok() && !there.status().IsNotFound()) {
      return there.status().WithContext(where + " (in " + source.files + ")");
    }
    if (!there.ok() || there->size != artifact->size || there->checksum != artifact->checksum) {
      return Status::Corruption(
          where + (there.ok() ? " does not match its size and checksum" : " is missing") +
          "; nothing was " + source.verb);
    }
    if (progress) progress(++checked, paths.size());
  }
  return Status::OK();
}

// What the import adds, worked out against the target: every rule that
// could refuse it is checked here, so a dry run says what a real one would.
class Planner {
 public:
  Planner(const engine::RegistryView& view, const BundleContent& bundle,
          const internal::ContentSource& source)
      : view_(view), bundle_(bundle), source_(source) {
    for (const BundleDataset& d : bundle_.datasets) by_id_.emplace(d.id, &d);
  }

  Status Build() {
    STARLOG_RETURN_IF_ERROR(Types());
    STARLOG_RETURN_IF_ERROR(Collections());
    STARLOG_RETURN_IF_ERROR(Records());
    STARLOG_RETURN_IF_ERROR(Datasets());
    STARLOG_RETURN_IF_ERROR(Chains());
    STARLOG_RETURN_IF_ERROR(Tagged());
    return Certifications();
  }

  std::vector<codec::EventBody> head;          // Types, collections, records.
  std::vector<const BundleDataset*> datasets;  // To register.
  std::vector<codec::EventBody> tail;          // Chains, tags, certifications.
  ImportReport report;

 private:
  struct Identity {
    std::string dataset_type;
    codec::FieldMap data_id;
  };
  Status Types();
  Status Collections();
  Status Records();
  Status Datasets();
  Status Chains();
  Status Tagged();
  Status Certifications();
  Result<Identity> IdentityOf(const codec::Uuid& id, const std::string& where);

  const engine::RegistryView& view_;
  const BundleContent& bundle_;
  const internal::ContentSource& source_;  // Where it comes from, in messages.
  std::map<codec::Uuid, const BundleDataset*> by_id_;
  std::map<std::string, engine::CollectionInfo> there_;  // Bundle collections the target has.
};

Status Planner::Types() {
  for (const codec::RegisterDatasetType& t : bundle_.dataset_types) {
    STARLOG_ASSIGN_OR_RETURN(bool add, internal::PlanDatasetType(view_, t, source_));
    if (add) head.emplace_back(t);
    ++(add ? report.dataset_types.added : report.dataset_types.present);
  }
  return Status::OK();
}

Status Planner::Collections() {
  for (const ButlerCollection& c : bundle_.collections) {
    STARLOG_ASSIGN_OR_RETURN(auto there, internal::PlanCollection(view_, c, source_));
    if (!there) {
      head.emplace_back(codec::CreateCollection{c.name, c.type, c.doc.value_or("")});
      ++report.collections.added;
      continue;
    }
    there_.emplace(c.name, *there);
    ++report.collections.present;
  }
  return Status::OK();
}

Status Planner::Records() {
  // One event per run of an element, in the bundle's order (the universe's).
  for (const ButlerRecords& r : bundle_.records) {
    codec::InsertDimensionRecords insert{r.element, {}, false};
    for (const codec::FieldMap& record : r.records) {
      // As the butler's skip_existing: the repository's record stays.
      STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetDimensionRecord(r.element, record));
      if (there) {
        ++report.records.present;
        continue;
      }
      insert.records.push_back(record);
    }
    report.records.added += insert.records.size();
    if (!insert.records.empty()) head.emplace_back(std::move(insert));
  }
  report.records_inserted = report.records.added;
  return Status::OK();
}

Status Planner::Datasets() {
  for (const BundleDataset& d : bundle_.datasets) {
    STARLOG_ASSIGN_OR_RETURN(bool add,
                             internal::PlanDataset(view_, d, there_.count(d.run) != 0, source_));
    if (!add) {
      ++report.already_present;
      continue;
    }
    datasets.push_back(&d);
    ++report.datasets;
  }
  return Status::OK();
}

Status Planner::Chains() {
  const auto in_bundle = [&](const std::string& name) {
    for (const ButlerCollection& other : bundle_.collections) {
      if (other.name == name) return true;
    }
    return false;
  };
  for (const ButlerCollection& c : bundle_.collections) {
    if (c.type != codec::CollectionType::kChained) continue;
    auto there = there_.find(c.name);
    STARLOG_ASSIGN_OR_RETURN(
        bool add,
        internal::PlanChain(view_, c.name, c.children,
                            there == there_.end() ? std::nullopt : std::optional(there->second),
                            in_bundle, source_));
    if (!add) {
      ++report.chains.present;
      continue;
    }
    if (!c.children.empty()) tail.emplace_back(codec::SetChain{c.name, c.children});
    ++report.chains.added;
  }
  return Status::OK();
}

Result<Planner::Identity> Planner::IdentityOf(const codec::Uuid& id, const std::string& where) {
  if (auto d = by_id_.find(id); d != by_id_.end()) {
    return Identity{d->second->dataset_type, d->second->data_id};
  }
  STARLOG_ASSIGN_OR_RETURN(auto existing, view_.GetDataset(id));
  if (!existing) {
    return Status::InvalidArgument(where + ": dataset " + id.ToString() + " is neither in the " +
                                   source_.name + " nor in the repository");
  }
  return Identity{existing->dataset_type, existing->data_id};
}

Status Planner::Tagged() {
  for (const internal::BundleTagged& t : bundle_.tagged) {
    const std::string where = source_.name + " membership of TAGGED '" + t.collection + "'";
    codec::Tag tag{t.collection, {}};
    std::set<std::string> taken;  // Type and data ID, among the new tags.
    for (const codec::Uuid& id : t.ids) {
      STARLOG_ASSIGN_OR_RETURN(Identity who, IdentityOf(id, where));
      if (!taken.insert(who.dataset_type + "\n" + engine::EncodeDataId(who.data_id)).second) {
        return Status::InvalidArgument(where + ": two datasets of " + who.dataset_type + " " +
                                       codec::FieldMapToString(who.data_id));
      }
      if (there_.count(t.collection) != 0) {
        STARLOG_ASSIGN_OR_RETURN(
            bool add,
            internal::PlanTag(view_, t.collection, id, who.dataset_type, who.data_id, source_));
        if (!add) {
          ++report.tagged.present;
          continue;
        }
      }
      tag.ids.push_back(id);
    }
    report.tagged.added += tag.ids.size();
    if (!tag.ids.empty()) tail.emplace_back(std::move(tag));
  }
  return Status::OK();
}

Status Planner::Certifications() {
  struct Held {
    codec::Uuid id;
    codec::Timespan validity;
    bool from_bundle = false;
  };
  // By collection, dataset type and data ID: what is certified there, the
  // target's first, then the bundle's as they are planned.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<Held>>> held;
  std::map<std::pair<std::string, std::string>, codec::Certify> by_key;
  for (const internal::BundleCertification& c : bundle_.certifications) {
    const std::string where = source_.name + " certification in '" + c.collection + "'";
    for (const codec::Uuid& id : c.ids) {
      STARLOG_ASSIGN_OR_RETURN(Identity who, IdentityOf(id, where));
      const std::pair<std::string, std::string> key{c.collection, who.dataset_type};
      auto [slot, fresh] = held.try_emplace(key);
      if (fresh && there_.count(c.collection) != 0) {
        engine::DatasetQuery q;
        q.dataset_type = who.dataset_type;
        q.collections = {c.collection};
        q.find_first = false;
        STARLOG_ASSIGN_OR_RETURN(auto refs, view_.QueryDatasets(q));
        for (const engine::DatasetRef& r : refs) {
          if (r.validity)
            slot->second[engine::EncodeDataId(r.data_id)].push_back({r.id, *r.validity});
        }
      }
      auto& same_data_id = slot->second[engine::EncodeDataId(who.data_id)];
      bool present = false;
      for (const Held& h : same_data_id) {
        if (h.id == id && h.validity == c.validity) {
          present = true;
          break;
        }
        if (h.validity.Overlaps(c.validity)) {
          return Status::Conflict(
              "certification of dataset " + id.ToString() + " (" + who.dataset_type + " " +
              codec::FieldMapToString(who.data_id) + ") in '" + c.collection + "' for " +
              internal::RangeText(c.validity) + " overlaps dataset " + h.id.ToString() + " for " +
              internal::RangeText(h.validity) +
              (h.from_bundle ? " in the " + source_.name : std::string(" in the repository")) +
              "; nothing was " + source_.verb);
        }
      }
      if (present) {
        ++report.certified.present;
        continue;
      }
      same_data_id.push_back({id, c.validity, true});
      codec::Certify& certify = by_key[key];
      certify.collection = c.collection;
      certify.dataset_type = who.dataset_type;
      certify.entries.push_back(codec::CertifyEntry{id, c.validity});
      ++report.certified.added;
    }
  }
  for (auto& [key, certify] : by_key) tail.emplace_back(std::move(certify));
  return Status::OK();
}

}  // namespace

namespace internal {

Result<ImportReport> ImportContent(engine::EventStore& store, const engine::RegistryView& view,
                                   const BundleContent& bundle, const ContentSource& source,
                                   const ImportOptions& options, const FileSink& sink) {
  STARLOG_RETURN_IF_ERROR(CheckFiles(store, bundle, source, options.progress));
  Planner plan(view, bundle, source);
  STARLOG_RETURN_IF_ERROR(plan.Build());
  ImportReport report = plan.report;

  // The events registering the datasets, by run and type; each file once,
  // naming every dataset it holds (one per HDU).
  FileBatch batch;
  batch.mode = options.mode;
  batch.all_or_nothing = true;
  batch.bodies = std::move(plan.head);
  std::map<std::pair<std::string, std::string>, std::vector<const BundleDataset*>> by_key;
  for (const BundleDataset* d : plan.datasets) by_key[{d->run, d->dataset_type}].push_back(d);
  std::map<std::string, size_t> file_of_path;
  for (const auto& [key, of_key] : by_key) {
    codec::RegisterDatasets event;
    event.run = key.first;
    event.dataset_type = key.second;
    for (const BundleDataset* d : of_key) {
      if (d->artifact) {
        auto [it, fresh] = file_of_path.emplace(d->artifact->path, batch.files.size());
        if (fresh) {
          batch.files.push_back(BatchFile{
              (fs::path(source.files) / d->artifact->path).string(), d->artifact->path, {}});
        }
        batch.files[it->second].entries.push_back(
            BatchEntry{batch.bodies.size(), event.datasets.size()});
      }
      event.datasets.push_back(codec::DatasetEntry{d->id, d->data_id, d->artifact});
    }
    batch.bodies.emplace_back(std::move(event));
  }
  for (auto& body : plan.tail) batch.bodies.push_back(std::move(body));
  report.files = batch.files.size();
  if (options.dry_run) {
    // Where a real run would be refused placing a file, so is the dry run.
    for (const BatchFile& f : batch.files) {
      auto checked = CheckPlaceFile(f.source, store.root(), f.relative, batch.mode);
      if (!checked.ok()) return checked.WithContext("nothing would be " + source.verb);
    }
    return report;
  }
  if (batch.bodies.empty()) return report;
  auto placed = sink(std::move(batch));
  if (!placed.ok()) return placed.status().WithContext("nothing was " + source.verb);
  report.first_event = placed->first_event;
  report.last_event = placed->last_event;
  return report;
}

}  // namespace internal

Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  const ImportOptions& options, const FileSink& sink) {
  if (options.mode == TransferMode::kDirect) {
    return Status::InvalidArgument(
        "a bundle's files are outside the repository: use copy, move, "
        "hardlink or symlink");
  }
  std::error_code ec;
  if (fs::exists(fs::path(from) / internal::kBundleLinesFile, ec)) {
    return internal::ImportBundleLines(store, from, options, sink);
  }
  STARLOG_ASSIGN_OR_RETURN(std::string text, ReadBundleJson(from));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  STARLOG_ASSIGN_OR_RETURN(BundleContent bundle, internal::ParseBundle(text, view.universe()));
  internal::ContentSource source;
  source.files = (fs::path(from) / "files").string();
  return internal::ImportContent(store, view, bundle, source, options, sink);
}

Result<ImportReport> ImportBundle(engine::EventStore& store, const std::string& from,
                                  TransferMode mode, const std::string& actor) {
  ImportOptions options;
  options.mode = mode;
  return ImportBundle(store, from, options, LocalFileSink(store, actor));
}

}  // namespace starlog::ingest
