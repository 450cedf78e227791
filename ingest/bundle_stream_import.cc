#include "ingest/bundle_stream_import.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ingest/bundle_content.h"
#include "ingest/bundle_lines.h"
#include "ingest/bundle_plan.h"
#include "starlog/codec/text.h"

namespace starlog::ingest::internal {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKindNames[] = {"dataset_type", "collection", "chain", "dimension_record",
                                      "dataset"};

struct PathKeyHash {
  size_t operator()(const codec::Hash128& h) const { return static_cast<size_t>(h.low); }
};

// A bundle collection, and the target's of that name if it has one.
struct Collection {
  codec::CollectionType type = codec::CollectionType::kRun;
  std::optional<engine::CollectionInfo> there;
};

// A dataset of the (type, data ID) whose lines are being read.
struct GroupMember {
  codec::Uuid id;
  std::vector<std::string> tagged;
  std::vector<BundleCertified> certified;
};

Result<bool> PlanCertification(const engine::RegistryView& view, const std::string& collection,
                               const BundleDataset& d, const codec::Timespan& validity) {
  const std::string what = "certification of dataset " + d.id.ToString() + " (" + d.dataset_type +
                           " " + codec::FieldMapToString(d.data_id) + ") in '" + collection +
                           "' for " + RangeText(validity);
  auto found = view.FindDataset(d.dataset_type, d.data_id, {collection}, validity);
  if (found.status().IsNotFound()) return true;
  if (found.status().IsConflict()) {
    return Status::Conflict(what + " overlaps more than one in the repository (" +
                            std::string(found.status().message()) + "); nothing was imported");
  }
  if (!found.ok()) return found.status();
  if (found->id == d.id && found->validity == validity) return false;
  return Status::Conflict(what + " overlaps dataset " + found->id.ToString() + " for " +
                          RangeText(found->validity.value_or(codec::Timespan{})) +
                          " in the repository; nothing was imported");
}

class LineImporter {
 public:
  LineImporter(const engine::EventStore& store, const engine::RegistryView& view, std::string from,
               const ImportOptions& options, const StreamLimits& limits, StreamStats* stats)
      : store_(store),
        view_(view),
        from_(std::move(from)),
        files_((fs::path(from_) / "files").string()),
        options_(options),
        limits_(limits),
        stats_(stats) {}

  // One pass over the lines. "check": the first pass (counts against the
  // header, ids and files); else "sink" gets the batches.
  Status Pass(bool check, const FileSink* sink, uint64_t lines);
  // For the last pass: the sums the first recorded.
  void ExpectSums(const std::vector<codec::Hash128>* sums) { checked_sums_ = sums; }
  const std::vector<codec::Hash128>& sums() const { return batch_sums_; }

  ImportReport report;
  uint64_t appended_first = 0;
  uint64_t appended_last = 0;

 private:
  Status Line(const std::string& text, uint64_t number, bool check);
  Status Type(codec::RegisterDatasetType t, const std::string& where);
  Status AddCollection(ButlerCollection c, const std::string& where);
  Status Chain(BundleChain chain, const std::string& where);
  Status Record(BundleRecord r, const std::string& where);
  Status Dataset(BundleDataset d, const std::string& where, bool check);
  Status Memberships(const BundleDataset& d, const std::string& where);
  Status CheckFile(const codec::Artifact& a, const std::string& where);
  std::string AppendedText() const {
    return "events " + std::to_string(appended_first) + "-" + std::to_string(appended_last) +
           " of this import are in the repository; importing the bundle again adds the rest";
  }
  // Hands the batch to the sink once it is full ("force": whatever it holds).
  Status MaybeFlush(bool force);

  const engine::EventStore& store_;
  const engine::RegistryView& view_;
  const std::string from_;
  const std::string files_;
  const ImportOptions& options_;
  const StreamLimits& limits_;
  StreamStats* stats_;
  const FileSink* sink_ = nullptr;

  BundleCounts counts_;
  TypeKeys keys_;
  std::set<std::string> calibration_types_;
  std::map<std::string, Collection> collections_;
  std::set<std::string> chained_;
  // The last batch: the chains, created and given their children, so that
  // one appears only once all it searches is there.
  std::vector<codec::EventBody> chains_;
  size_t last_kind_ = 0;
  std::optional<std::pair<size_t, std::string>> last_record_;
  std::string last_dataset_;
  std::string group_key_;
  std::vector<GroupMember> group_;
  std::vector<codec::Uuid> ids_;
  std::unordered_map<codec::Hash128, codec::Hash128, PathKeyHash> files_seen_;
  std::unordered_set<codec::Hash128, PathKeyHash> placed_;

  // The XXH3-128 of each batch's lines: the first pass records them, the
  // last refuses a batch whose lines are not those it checked.
  std::vector<codec::Hash128> batch_sums_;
  const std::vector<codec::Hash128>* checked_sums_ = nullptr;
  std::unique_ptr<codec::Xxh3Wide> batch_sum_ = std::make_unique<codec::Xxh3Wide>();

  // The batch being gathered.
  std::vector<codec::EventBody> head_;  // Types, collections, records.
  std::map<std::pair<std::string, std::string>, codec::RegisterDatasets> registers_;
  std::map<std::string, codec::Tag> tags_;
  std::map<std::pair<std::string, std::string>, codec::Certify> certifies_;
  struct PendingFile {
    std::string path;
    std::vector<std::pair<std::pair<std::string, std::string>, size_t>> entries;
  };
  std::vector<PendingFile> pending_files_;
  std::map<std::string, size_t> pending_file_of_path_;
  size_t pending_ = 0;
};

Status LineImporter::Pass(bool check, const FileSink* sink, uint64_t lines) {
  sink_ = sink;
  STARLOG_ASSIGN_OR_RETURN(auto reader,
                           BundleLineReader::Open((fs::path(from_) / kBundleLinesFile).string()));
  std::string text;
  STARLOG_ASSIGN_OR_RETURN(bool more, reader->Next(&text));
  if (!more) return Status::InvalidArgument("bundle.jsonl is empty");
  STARLOG_ASSIGN_OR_RETURN(BundleHeader header, ReadBundleHeader(text));
  counts_ = header.counts;
  // Line "lines" + 1 is the trailer, checked by VerifyBundleLines.
  for (uint64_t number = 2; number <= lines; ++number) {
    STARLOG_ASSIGN_OR_RETURN(more, reader->Next(&text));
    if (!more) return Status::InvalidArgument("bundle.jsonl changed while it was imported");
    batch_sum_->Update(text);
    batch_sum_->Update("\n");
    STARLOG_RETURN_IF_ERROR(Line(text, number, check));
  }
  if (check) {
    const BundleCounts found{keys_.size(), collections_.size(), chained_.size(),
                             report.records.added + report.records.present,
                             report.datasets + report.already_present};
    const std::pair<const char*, std::pair<uint64_t, uint64_t>> pairs[] = {
        {"dataset types", {counts_.dataset_types, found.dataset_types}},
        {"collections", {counts_.collections, found.collections}},
        {"chains", {counts_.chains, found.chains}},
        {"dimension records", {counts_.dimension_records, found.dimension_records}},
        {"datasets", {counts_.datasets, found.datasets}}};
    for (const auto& [kind, n] : pairs) {
      if (n.first != n.second) {
        return Status::InvalidArgument("bundle line 1: the header counts " +
                                       std::to_string(n.first) + " " + kind + ", the lines hold " +
                                       std::to_string(n.second));
      }
    }
    std::sort(ids_.begin(), ids_.end());
    auto twice = std::adjacent_find(ids_.begin(), ids_.end());
    if (twice != ids_.end()) {
      return Status::InvalidArgument("bundle dataset " + twice->ToString() + " is listed twice");
    }
    if (stats_ != nullptr) {
      stats_->lines = lines;
      stats_->ids_held = ids_.size();
      stats_->files_held = files_seen_.size();
    }
  }
  report.records_inserted = report.records.added;
  STARLOG_RETURN_IF_ERROR(MaybeFlush(true));
  if (!chains_.empty()) {
    for (codec::EventBody& c : chains_) head_.push_back(std::move(c));
    chains_.clear();
    STARLOG_RETURN_IF_ERROR(MaybeFlush(true));
  }
  return Status::OK();
}

Status LineImporter::Line(const std::string& text, uint64_t number, bool check) {
  const std::string where = "bundle line " + std::to_string(number);
  STARLOG_ASSIGN_OR_RETURN(BundleLine line, ReadBundleLine(text, number, view_.universe(), keys_));
  const size_t kind = line.index();
  if (kind < last_kind_) {
    return Status::InvalidArgument(where + ": a \"" + kKindNames[kind] + "\" line after the \"" +
                                   kKindNames[last_kind_] +
                                   "\" lines (the kinds come in the order export writes them)");
  }
  last_kind_ = kind;
  switch (kind) {
    case 0:
      return Type(std::get<0>(std::move(line)), where);
    case 1:
      return AddCollection(std::get<1>(std::move(line)), where);
    case 2:
      return Chain(std::get<2>(std::move(line)), where);
    case 3:
      return Record(std::get<3>(std::move(line)), where);
    default:
      return Dataset(std::get<4>(std::move(line)), where, check);
  }
}

Status LineImporter::Type(codec::RegisterDatasetType t, const std::string& where) {
  if (keys_.count(t.name) != 0) {
    return Status::InvalidArgument(where + ": dataset type '" + t.name + "' is listed twice");
  }
  STARLOG_ASSIGN_OR_RETURN(bool add, PlanDatasetType(view_, t));
  keys_[t.name] = view_.universe().RequiredKeys(t.dimensions).value();
  if (t.is_calibration) calibration_types_.insert(t.name);
  ++(add ? report.dataset_types.added : report.dataset_types.present);
  if (add) head_.emplace_back(std::move(t));
  return Status::OK();
}

Status LineImporter::AddCollection(ButlerCollection c, const std::string& where) {
  if (collections_.count(c.name) != 0) {
    return Status::InvalidArgument(where + ": collection '" + c.name + "' is listed twice");
  }
  STARLOG_ASSIGN_OR_RETURN(auto there, PlanCollection(view_, c));
  ++(there ? report.collections.present : report.collections.added);
  if (!there) {
    codec::CreateCollection create{c.name, c.type, c.doc.value_or("")};
    if (c.type == codec::CollectionType::kChained) {
      chains_.emplace_back(std::move(create));
    } else {
      head_.emplace_back(std::move(create));
    }
  }
  collections_[c.name] = Collection{c.type, std::move(there)};
  return Status::OK();
}

Status LineImporter::Chain(BundleChain chain, const std::string& where) {
  auto c = collections_.find(chain.name);
  if (c == collections_.end() || c->second.type != codec::CollectionType::kChained) {
    return Status::InvalidArgument(where + ": '" + chain.name +
                                   "' is not a CHAINED collection of the bundle");
  }
  if (!chained_.insert(chain.name).second) {
    return Status::InvalidArgument(where + ": chain '" + chain.name + "' is listed twice");
  }
  const auto in_bundle = [&](const std::string& name) { return collections_.count(name) != 0; };
  STARLOG_ASSIGN_OR_RETURN(
      bool add, PlanChain(view_, chain.name, chain.children, c->second.there, in_bundle));
  ++(add ? report.chains.added : report.chains.present);
  if (add && !chain.children.empty()) {
    chains_.push_back(codec::SetChain{chain.name, std::move(chain.children)});
  }
  return Status::OK();
}

Status LineImporter::Record(BundleRecord r, const std::string& where) {
  const auto& elements = view_.universe().elements();
  size_t rank = 0;
  while (rank < elements.size() && elements[rank].name != r.element) ++rank;
  auto key = RecordKey(view_.universe(), r.element, r.record);
  if (!key.ok()) return key.status().WithContext(where);
  std::pair<size_t, std::string> at{rank, std::move(*key)};
  if (last_record_ && !(*last_record_ < at)) {
    return Status::InvalidArgument(where + ": " + r.element + " record " +
                                   codec::FieldMapToString(r.record) +
                                   " is out of order or listed twice (export writes them by "
                                   "element, in the universe's order, then by key)");
  }
  last_record_ = std::move(at);
  // As the butler's skip_existing: the repository's record stays.
  STARLOG_ASSIGN_OR_RETURN(auto there, view_.GetDimensionRecord(r.element, r.record));
  if (there) {
    ++report.records.present;
    return Status::OK();
  }
  ++report.records.added;
  auto* last = head_.empty() ? nullptr : std::get_if<codec::InsertDimensionRecords>(&head_.back());
  if (last == nullptr || last->element != r.element) {
    head_.emplace_back(codec::InsertDimensionRecords{r.element, {}, false});
    last = &std::get<codec::InsertDimensionRecords>(head_.back());
  }
  last->records.push_back(std::move(r.record));
  ++pending_;
  return MaybeFlush(false);
}

Status LineImporter::CheckFile(const codec::Artifact& a, const std::string& where) {
  const codec::Hash128 path = codec::Xxh3_128(a.path);
  const codec::Hash128 content = codec::Xxh3_128(std::to_string(a.size) + "/" + a.checksum.ToHex());
  auto [it, fresh] = files_seen_.emplace(path, content);
  if (!fresh) {
    if (it->second != content) {
      return Status::InvalidArgument(where + ": bundle file " + codec::Printable(a.path) +
                                     " is recorded with two sizes or checksums");
    }
    return Status::OK();
  }
  return CheckBundleFile(store_.root(), files_, a).WithContext(where);
}

Status LineImporter::Dataset(BundleDataset d, const std::string& where, bool check) {
  std::string order = DatasetOrderKey(d.dataset_type, d.data_id, d.run);
  if (!last_dataset_.empty() && !(last_dataset_ < order)) {
    return Status::InvalidArgument(where + ": dataset " + d.id.ToString() + " (" + d.dataset_type +
                                   " " + codec::FieldMapToString(d.data_id) + " in " + d.run +
                                   ") is out of order or its data ID is twice in its RUN "
                                   "(export writes datasets by type, data ID, then RUN)");
  }
  last_dataset_ = std::move(order);
  auto run = collections_.find(d.run);
  if (run == collections_.end() || run->second.type != codec::CollectionType::kRun) {
    return Status::InvalidArgument(where + ": RUN '" + d.run +
                                   "' is not among the bundle's collections");
  }
  std::string group = DatasetGroupKey(d.dataset_type, d.data_id);
  if (group != group_key_) {
    // A batch ends between two data IDs, so that the rules of one are
    // checked against the same state.
    STARLOG_RETURN_IF_ERROR(MaybeFlush(false));
    group_key_ = std::move(group);
    group_.clear();
  }
  if (group_.size() >= limits_.group) {
    return Status::InvalidArgument(where + ": more than " + std::to_string(limits_.group) +
                                   " datasets of " + d.dataset_type + " " +
                                   codec::FieldMapToString(d.data_id));
  }
  STARLOG_RETURN_IF_ERROR(Memberships(d, where));
  if (check) {
    ids_.push_back(d.id);
    if (d.artifact) STARLOG_RETURN_IF_ERROR(CheckFile(*d.artifact, where));
  }
  STARLOG_ASSIGN_OR_RETURN(bool add, PlanDataset(view_, d, run->second.there.has_value()));
  group_.push_back(GroupMember{d.id, d.tagged, d.certified});
  if (stats_ != nullptr) stats_->largest_group = std::max(stats_->largest_group, group_.size());
  const size_t seen = report.datasets + report.already_present + 1;
  if (options_.progress) {
    const uint64_t total = std::max<uint64_t>(counts_.datasets, seen);
    options_.progress((check ? 0 : total) + seen, 2 * total);
  }
  if (!add) {
    ++report.already_present;
    return Status::OK();
  }
  ++report.datasets;
  ++pending_;
  const std::pair<std::string, std::string> key{d.run, d.dataset_type};
  codec::RegisterDatasets& event = registers_[key];
  event.run = d.run;
  event.dataset_type = d.dataset_type;
  if (d.artifact) {
    // Each file placed once, by the first batch naming it (a later HDU of
    // the same file is registered with the artifact the bundle records).
    auto it = pending_file_of_path_.find(d.artifact->path);
    if (it == pending_file_of_path_.end() &&
        placed_.insert(codec::Xxh3_128(d.artifact->path)).second) {
      if (check) ++report.files;
      it = pending_file_of_path_.emplace(d.artifact->path, pending_files_.size()).first;
      pending_files_.push_back(PendingFile{d.artifact->path, {}});
    }
    if (it != pending_file_of_path_.end()) {
      pending_files_[it->second].entries.emplace_back(key, event.datasets.size());
    }
  }
  event.datasets.push_back(codec::DatasetEntry{d.id, d.data_id, d.artifact});
  return Status::OK();
}

Status LineImporter::Memberships(const BundleDataset& d, const std::string& where) {
  std::set<std::string> listed;
  for (const std::string& c : d.tagged) {
    auto found = collections_.find(c);
    if (found == collections_.end() || found->second.type != codec::CollectionType::kTagged) {
      return Status::InvalidArgument(where + ": '" + codec::Printable(c) +
                                     "' is not a TAGGED collection of the bundle");
    }
    if (!listed.insert(c).second) {
      return Status::InvalidArgument(where + ": TAGGED '" + c + "' is listed twice");
    }
    for (const GroupMember& other : group_) {
      if (std::find(other.tagged.begin(), other.tagged.end(), c) != other.tagged.end()) {
        return Status::InvalidArgument(where + ": bundle membership of TAGGED '" + c +
                                       "': two datasets of " + d.dataset_type + " " +
                                       codec::FieldMapToString(d.data_id) + " (" +
                                       other.id.ToString() + " and " + d.id.ToString() + ")");
      }
    }
    bool add = true;
    if (found->second.there) {
      STARLOG_ASSIGN_OR_RETURN(add, PlanTag(view_, c, d.id, d.dataset_type, d.data_id));
    }
    ++(add ? report.tagged.added : report.tagged.present);
    if (add) {
      codec::Tag& tag = tags_[c];
      tag.collection = c;
      tag.ids.push_back(d.id);
    }
  }
  for (size_t i = 0; i < d.certified.size(); ++i) {
    const BundleCertified& c = d.certified[i];
    auto found = collections_.find(c.collection);
    if (found == collections_.end() || found->second.type != codec::CollectionType::kCalibration) {
      return Status::InvalidArgument(where + ": '" + codec::Printable(c.collection) +
                                     "' is not a CALIBRATION collection of the bundle");
    }
    if (calibration_types_.count(d.dataset_type) == 0) {
      return Status::InvalidArgument(where + ": dataset " + d.id.ToString() + " is a " +
                                     d.dataset_type + ", not a calibration type");
    }
    const auto overlaps = [&](const codec::Uuid& id, const BundleCertified& other) {
      if (other.collection != c.collection || !other.validity.Overlaps(c.validity)) {
        return Status::OK();
      }
      return Status::InvalidArgument(where + ": certification of dataset " + d.id.ToString() +
                                     " in '" + c.collection + "' for " + RangeText(c.validity) +
                                     " overlaps dataset " + id.ToString() + " for " +
                                     RangeText(other.validity) + " in the bundle");
    };
    for (size_t j = 0; j < i; ++j) STARLOG_RETURN_IF_ERROR(overlaps(d.id, d.certified[j]));
    for (const GroupMember& other : group_) {
      for (const BundleCertified& o : other.certified) {
        STARLOG_RETURN_IF_ERROR(overlaps(other.id, o));
      }
    }
    bool add = true;
    if (found->second.there) {
      STARLOG_ASSIGN_OR_RETURN(add, PlanCertification(view_, c.collection, d, c.validity));
    }
    ++(add ? report.certified.added : report.certified.present);
    if (add) {
      codec::Certify& certify = certifies_[{c.collection, d.dataset_type}];
      certify.collection = c.collection;
      certify.dataset_type = d.dataset_type;
      certify.entries.push_back(codec::CertifyEntry{d.id, c.validity});
    }
  }
  return Status::OK();
}

Status LineImporter::MaybeFlush(bool force) {
  if (!force && pending_ < limits_.batch) return Status::OK();
  const codec::Hash128 sum = batch_sum_->Digest();
  batch_sum_ = std::make_unique<codec::Xxh3Wide>();
  if (checked_sums_ != nullptr && (batch_sums_.size() >= checked_sums_->size() ||
                                   (*checked_sums_)[batch_sums_.size()] != sum)) {
    return Status::InvalidArgument("bundle.jsonl changed since it was checked")
        .WithContext(appended_last == 0 ? "nothing was imported" : AppendedText());
  }
  batch_sums_.push_back(sum);
  FileBatch batch;
  batch.mode = options_.mode;
  batch.all_or_nothing = true;
  batch.bodies = std::move(head_);
  head_.clear();
  std::map<std::pair<std::string, std::string>, size_t> event_of;
  for (auto& [key, event] : registers_) {
    event_of[key] = batch.bodies.size();
    batch.bodies.emplace_back(std::move(event));
  }
  for (auto& [name, tag] : tags_) batch.bodies.emplace_back(std::move(tag));
  for (auto& [key, certify] : certifies_) batch.bodies.emplace_back(std::move(certify));
  for (PendingFile& f : pending_files_) {
    BatchFile file{(fs::path(files_) / f.path).string(), f.path, {}};
    for (const auto& [key, entry] : f.entries) {
      file.entries.push_back(BatchEntry{event_of.at(key), entry});
    }
    batch.files.push_back(std::move(file));
  }
  registers_.clear();
  tags_.clear();
  certifies_.clear();
  pending_files_.clear();
  pending_file_of_path_.clear();
  const size_t size = pending_;
  pending_ = 0;
  if (batch.bodies.empty()) return Status::OK();
  if (stats_ != nullptr) {
    ++stats_->batches;
    stats_->largest_batch = std::max(stats_->largest_batch, size);
  }
  if (sink_ == nullptr) return Status::OK();
  report.files += batch.files.size();
  auto placed = (*sink_)(std::move(batch));
  if (!placed.ok()) {
    if (appended_last == 0) return placed.status().WithContext("nothing was imported");
    return placed.status().WithContext(AppendedText());
  }
  if (placed->last_event != 0) {
    if (appended_first == 0) appended_first = placed->first_event;
    appended_last = placed->last_event;
  }
  return Status::OK();
}

}  // namespace

Result<ImportReport> ImportBundleLines(engine::EventStore& store, const std::string& from,
                                       const ImportOptions& options, const FileSink& sink,
                                       const StreamLimits& limits, StreamStats* stats) {
  const std::string path = (fs::path(from) / kBundleLinesFile).string();
  STARLOG_ASSIGN_OR_RETURN(uint64_t lines, VerifyBundleLines(path));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
  if (stats != nullptr) *stats = StreamStats{};
  LineImporter check(store, view, from, options, limits, stats);
  STARLOG_RETURN_IF_ERROR(check.Pass(true, nullptr, lines));
  if (options.dry_run) return check.report;
  // The same lines planned against the same view: what the check found is
  // what each batch adds.
  LineImporter append(store, view, from, options, limits, nullptr);
  append.ExpectSums(&check.sums());
  STARLOG_RETURN_IF_ERROR(append.Pass(false, &sink, lines));
  ImportReport report = append.report;
  report.first_event = append.appended_first;
  report.last_event = append.appended_last;
  return report;
}

}  // namespace starlog::ingest::internal
