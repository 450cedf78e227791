#include "starlog/ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "ingest/header_corrections.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/fits_header.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

// One dataset of a file (a file per detector has one; a file with a
// detector per HDU one per HDU).
struct PendingDataset {
  std::string dataset_type;
  codec::FieldMap data_id;
  codec::Uuid id;
  uint32_t hdu = 0;  // Its HDU in a file with a dataset per HDU; 0: the whole file.
};

// One file, translated and ready to place and register.
struct Pending {
  std::string file;
  std::vector<PendingDataset> datasets;
  std::string relative;  // Where its template puts it.
};

// A record as the batch will write it, and the file that described it.
struct BatchRecord {
  codec::FieldMap record;
  std::string file;  // Empty: the registry's record, as it is.
  bool replace = false;
};

// The records a file's values give, for the elements its data ID reaches
// (keys, and what they imply, recursively), in universe order.
std::vector<std::pair<std::string, codec::FieldMap>> RecordsOf(const engine::Universe& universe,
                                                               const std::vector<std::string>& keys,
                                                               const codec::FieldMap& values) {
  std::set<std::string> reached(keys.begin(), keys.end());
  std::vector<std::pair<std::string, codec::FieldMap>> out;
  bool grew = true;
  while (grew) {
    grew = false;
    for (const engine::DimensionElement& e : universe.elements()) {
      if (reached.count(e.name) == 0) continue;
      for (const std::string& i : e.implies) {
        if (values.count(i) != 0 && reached.insert(i).second) grew = true;
      }
      for (const std::string& r : e.required) {
        if (reached.insert(r).second) grew = true;
      }
    }
  }
  for (const engine::DimensionElement& e : universe.elements()) {
    if (reached.count(e.name) == 0) continue;
    auto required = universe.RequiredKeys({e.name});
    if (!required.ok()) continue;
    codec::FieldMap record;
    bool complete = true;
    for (const std::string& k : *required) {
      auto v = values.find(k);
      if (v == values.end()) {
        complete = false;
        break;
      }
      record.emplace(k, v->second);
    }
    if (!complete) continue;
    for (const std::string& i : e.implies) {
      if (auto v = values.find(i); v != values.end()) record.emplace(i, v->second);
    }
    for (const engine::DimensionField& f : e.fields) {
      if (auto v = values.find(e.name + "." + f.name); v != values.end()) {
        record.emplace(f.name, v->second);
      }
    }
    out.emplace_back(e.name, std::move(record));
  }
  return out;
}

// Whether "file" may be read as an input: a regular file, not inside
// "<root>/.starlog".
Status CheckIngestable(const std::string& file, const std::string& root) {
  STARLOG_RETURN_IF_ERROR(engine::CheckRegularFile(file));
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec) return Status::IOError("resolve " + file + ": " + ec.message());
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return Status::IOError("resolve repository root " + root + ": " + ec.message());
  const fs::path inside = real.lexically_relative(real_root);
  if (!inside.empty() && *inside.begin() == engine::kPrivateFolder) {
    return Status::InvalidArgument("inside the registry's own " +
                                   std::string(engine::kPrivateFolder) + " folder");
  }
  return Status::OK();
}

constexpr char kNoMatch[] = "no translator matches its header";

// Moves "file" into "dir" under its own name (never over another file), and
// says where, or why not, as a suffix to the skip's reason.
std::string MoveToMisc(const std::string& file, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "; not moved to " + dir + ": " + ec.message();
  const fs::path target = fs::path(dir) / fs::path(file).filename();
  if (fs::exists(fs::symlink_status(target, ec))) {
    return "; not moved: " + target.string() + " exists";
  }
  fs::rename(file, target, ec);
  if (ec == std::errc::cross_device_link) {
    ec.clear();
    fs::copy_file(file, target, ec);
    if (!ec) fs::remove(file, ec);
  }
  if (ec) return "; not moved to " + dir + ": " + ec.message();
  return "; moved to " + target.string();
}

// One header's translation, corrected by its correction file if one of
// "corrections" has one for its obs_id (which it is then translated again
// with).
Result<codec::FieldMap> TranslateCorrected(const Translator& t, const FitsHeader& header,
                                           const engine::Universe& universe,
                                           const std::vector<std::string>& corrections) {
  STARLOG_ASSIGN_OR_RETURN(codec::FieldMap values, t.Translate(header, universe));
  if (corrections.empty()) return values;
  auto obs_id = values.find("exposure.obs_id");
  if (obs_id == values.end()) return values;
  FitsHeader corrected = header;
  STARLOG_ASSIGN_OR_RETURN(std::string file,
                           ApplyCorrections(corrections, t.instrument,
                                            codec::FieldValueToString(obs_id->second), &corrected));
  if (file.empty()) return values;
  auto again = t.Translate(corrected, universe);
  if (!again.ok()) return again.status().WithContext("corrected by " + file);
  return again;
}

// The translations of one file: the first translator that matches its
// header and translates it (each HDU's, for a translator with one dataset
// per HDU, whose numbers go to "*hdu_of", 0 for a whole file). When every
// matching one fails, the error names each and why.
Result<std::vector<codec::FieldMap>> TranslateFile(
    const std::string& file, const FitsHeader& header, const IngestOptions& options,
    const engine::Universe& universe, const Translator** chosen, std::vector<uint32_t>* hdu_of) {
  std::string failures;
  std::optional<std::vector<FitsHeader>> hdus;
  for (const Translator& t : options.translators) {
    if (!t.Matches(header)) continue;
    std::vector<codec::FieldMap> out;
    hdu_of->clear();
    Status failed;
    std::vector<std::pair<int, FitsHeader>> headers;
    if (t.PerHdu()) {
      if (!hdus) {
        auto read = ReadFitsHdus(file);
        if (!read.ok()) return read.status();
        hdus = std::move(*read);
      }
      headers = t.DatasetHeaders(*hdus);
      if (headers.empty()) failed = Status::InvalidArgument(t.source + ": no HDU to translate");
    } else {
      headers.emplace_back(0, header);
    }
    for (const auto& [hdu, h] : headers) {
      auto values = TranslateCorrected(t, h, universe, options.corrections);
      if (!values.ok()) {
        failed =
            hdu == 0 ? values.status() : values.status().WithContext("HDU " + std::to_string(hdu));
        break;
      }
      out.push_back(std::move(*values));
      hdu_of->push_back(static_cast<uint32_t>(hdu));
    }
    if (failed.ok()) {
      *chosen = &t;
      return out;
    }
    if (!failures.empty()) failures += "; then ";
    failures += std::string(failed.message());
  }
  if (failures.empty()) return Status::InvalidArgument(kNoMatch);
  return Status::InvalidArgument(failures);
}

struct Difference {
  std::string field, theirs, mine;
};

// The first field in which two records of one element differ (one having a
// field the other lacks is a difference too, as the butler compares).
std::optional<Difference> FirstDifference(const codec::FieldMap& theirs,
                                          const codec::FieldMap& mine) {
  std::set<std::string> fields;
  for (const auto& [k, v] : theirs) fields.insert(k);
  for (const auto& [k, v] : mine) fields.insert(k);
  for (const std::string& f : fields) {
    auto a = theirs.find(f);
    auto b = mine.find(f);
    const auto shown = [](const codec::FieldMap& m, codec::FieldMap::const_iterator it) {
      return it == m.end() ? std::string("(none)")
                           : "'" + codec::FieldValueToString(it->second) + "'";
    };
    if (a == theirs.end() || b == mine.end() || a->second != b->second) {
      return Difference{f, shown(theirs, a), shown(mine, b)};
    }
  }
  return std::nullopt;
}

codec::FieldMap RecordKeys(const engine::Universe& universe, const std::string& element,
                           const codec::FieldMap& record) {
  codec::FieldMap keys;
  auto names = universe.RequiredKeys({element});
  if (!names.ok()) return keys;
  for (const std::string& k : *names) {
    if (auto v = record.find(k); v != record.end()) keys.emplace(k, v->second);
  }
  return keys;
}

// A file of a dataset whose data ID holds the record's keys: the file that
// described the record, as far as the registry can tell.
std::string EarlierFile(const engine::RegistryView& view, const std::string& element,
                        const codec::FieldMap& record, const std::string& root) {
  const codec::FieldMap keys = RecordKeys(view.universe(), element, record);
  auto types = view.QueryDatasetTypes({});
  if (types.ok()) {
    for (const auto& type : *types) {
      engine::DatasetQuery query;
      query.dataset_type = type.name;
      query.collections = {"*"};
      query.find_first = false;
      query.where = engine::WhereClause::Equalities(keys);
      auto found = view.QueryDatasets(query);
      if (!found.ok()) continue;
      for (const auto& ref : *found) {
        if (ref.artifact) return (fs::path(root) / ref.artifact->path).string();
      }
    }
  }
  return "the registry's record";
}
}  // namespace

Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& files_or_dirs) {
  std::vector<std::string> files;
  for (const std::string& input : files_or_dirs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      // Named itself (a link to it, too): it is still the registry's folder.
      if (fs::canonical(input, ec).filename() == engine::kPrivateFolder) continue;
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(input, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        // A registry's own folder (this repository's, when the root itself
        // is given, or another's) never holds data: not even looked into.
        if (it->path().filename() == engine::kPrivateFolder) {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec)) found.push_back(it->path().string());
      }
      if (ec) return Status::IOError("cannot list " + input + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(input, ec)) {
      files.push_back(input);
    } else {
      return Status::NotFound("no file or folder " + input);
    }
  }
  return files;
}

Result<IngestReport> Ingest(engine::EventStore& store, const std::vector<std::string>& files,
                            const IngestOptions& options) {
  return Ingest(store, files, options, LocalFileSink(store, options.actor));
}

Result<IngestReport> Ingest(engine::EventStore& store, const std::vector<std::string>& files,
                            const IngestOptions& options, const FileSink& sink) {
  IngestReport report;
  report.files = files.size();
  if (options.run.empty()) return Status::InvalidArgument("give the RUN collection to ingest into");
  if (options.translators.empty()) return Status::InvalidArgument("give at least one translator");
  // The RUN, when it is new, is created with the first batch's datasets, so
  // an ingest that registers nothing leaves no empty RUN behind.
  bool create_run = false;
  {
    STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
    STARLOG_ASSIGN_OR_RETURN(auto run, view.GetCollection(options.run));
    if (!run) {
      create_run = true;
    } else if (run->type != codec::CollectionType::kRun) {
      return Status::InvalidArgument(options.run + " is not a RUN collection");
    }
  }
  for (const auto& [type, file_template] : options.templates) {
    STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
    auto info = view.GetDatasetType(type);
    if (!info.ok()) continue;  // Checked when a file of that type comes.
    STARLOG_ASSIGN_OR_RETURN(auto keys, view.universe().RequiredKeys(info->dimensions));
    STARLOG_RETURN_IF_ERROR(file_template.CheckUnique(keys));
  }
  STARLOG_ASSIGN_OR_RETURN(FileTemplate default_template,
                           FileTemplate::Parse(kDefaultFileTemplate));

  size_t done = 0;
  for (size_t start = 0; start < files.size(); start += options.batch_size) {
    const size_t end = std::min(files.size(), start + options.batch_size);
    // A follower (when the service writes) sees the batches before this one.
    STARLOG_RETURN_IF_ERROR(store.Refresh().status());
    STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store.View());
    const engine::Universe& universe = view.universe();
    std::vector<Pending> pending;
    // element -> encoded key -> the record this batch writes (or found).
    std::map<std::string, std::map<std::string, BatchRecord>> records;
    std::map<codec::Uuid, std::string> seen;  // Within this batch: id -> file.
    for (size_t i = start; i < end; ++i) {
      const std::string& file = files[i];
      const auto skip = [&](const std::string& reason) {
        report.skipped.push_back({file, reason});
      };
      // Before the file is opened: a FIFO would block with the write lock
      // held, and the registry's own files are never data.
      if (Status s = CheckIngestable(file, store.root()); !s.ok()) {
        skip(std::string(s.message()));
        continue;
      }
      // A file no translator recognises (not FITS, or no match rule fits)
      // goes to --misc when asked, as the data organiser sorts its frames.
      const auto unrecognised = [&](const Status& why) {
        std::string reason(why.message());
        if (!options.misc_dir.empty()) reason += MoveToMisc(file, options.misc_dir);
        skip(reason);
      };
      auto header = ReadFitsHeader(file);
      if (!header.ok()) {
        if (header.status().IsInvalidArgument()) {
          unrecognised(header.status());
        } else {
          skip(std::string(header.status().message()));
        }
        continue;
      }
      const Translator* translator = nullptr;
      std::vector<uint32_t> hdu_of;
      auto translated = TranslateFile(file, *header, options, universe, &translator, &hdu_of);
      if (!translated.ok()) {
        if (translator == nullptr && std::string(translated.status().message()) == kNoMatch) {
          unrecognised(translated.status());
        } else {
          skip(std::string(translated.status().message()));
        }
        continue;
      }
      Pending p;
      p.file = file;
      const std::string dataset_type =
          options.dataset_type.empty() ? translator->DatasetTypeFor(*header) : options.dataset_type;
      auto type = view.GetDatasetType(dataset_type);
      if (!type.ok()) {
        skip(std::string(type.status().message()));
        continue;
      }
      STARLOG_ASSIGN_OR_RETURN(auto keys, universe.RequiredKeys(type->dimensions));
      std::string problem;
      size_t present = 0;
      // The file's size and checksum, read once (a file per HDU is big).
      std::optional<Result<codec::Artifact>> described;
      for (size_t n = 0; n < translated->size(); ++n) {
        const codec::FieldMap& values = (*translated)[n];
        PendingDataset d;
        d.dataset_type = dataset_type;
        d.hdu = hdu_of[n];
        for (const std::string& k : keys) {
          auto v = values.find(k);
          if (v == values.end()) {
            problem = "translator " + translator->source + " gives no '" + k + "'";
            break;
          }
          d.data_id.emplace(k, v->second);
        }
        if (!problem.empty()) break;
        d.id = engine::DeterministicDatasetId(dataset_type, d.data_id, options.run);
        if (auto other = seen.find(d.id); other != seen.end()) {
          problem = "same data ID as " + other->second;
          break;
        }
        STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDataset(d.id));
        if (existing) {
          if (!described) {
            described = engine::DescribeFile(fs::path(file).parent_path().string(),
                                             fs::path(file).filename().string());
          }
          if (described->ok() && existing->artifact &&
              existing->artifact->size == (*described)->size &&
              existing->artifact->checksum == (*described)->checksum) {
            ++present;
            continue;
          }
          problem = "already registered as " + d.id.ToString() + " with another file";
          break;
        }
        p.datasets.push_back(std::move(d));
      }
      if (!problem.empty()) {
        skip(problem);
        continue;
      }
      if (p.datasets.empty()) {
        if (present > 0) ++report.already_present;
        continue;
      }
      // A file's datasets share its one place: values that differ between
      // its HDUs (the detector) are left out of the template.
      codec::FieldMap template_values = translated->front();
      for (const codec::FieldMap& values : *translated) {
        for (auto it = template_values.begin(); it != template_values.end();) {
          auto other = values.find(it->first);
          it = other == values.end() || other->second != it->second ? template_values.erase(it)
                                                                    : std::next(it);
        }
      }
      template_values["run"] = options.run;
      template_values["datasetType"] = dataset_type;
      auto configured = options.templates.find(dataset_type);
      const FileTemplate& t =
          configured != options.templates.end() ? configured->second : default_template;
      auto relative = options.transfer == TransferMode::kDirect
                          ? DirectPath(file, store.root())
                          : t.Format(template_values, FileExtension(file));
      if (!relative.ok()) {
        skip(std::string(relative.status().message()));
        continue;
      }
      p.relative = *relative;
      // The records this file describes must agree with what the registry
      // and the batch's earlier files say, field by field, unless
      // --update-records says to replace them.
      std::vector<std::tuple<std::string, std::string, codec::FieldMap>> mine;
      for (const codec::FieldMap& values : *translated) {
        for (auto& [element, record] : RecordsOf(universe, keys, values)) {
          STARLOG_ASSIGN_OR_RETURN(auto key_names, universe.RequiredKeys({element}));
          codec::FieldMap keys_only;
          for (const std::string& k : key_names) keys_only.emplace(k, record.at(k));
          mine.emplace_back(element, engine::EncodeDataId(keys_only), std::move(record));
        }
      }
      std::string conflict;
      for (const auto& [element, key, record] : mine) {
        auto& by_key = records[element];
        auto found = by_key.find(key);
        if (found == by_key.end()) {
          STARLOG_ASSIGN_OR_RETURN(auto there, view.GetDimensionRecord(element, record));
          BatchRecord existing;
          if (there) {
            existing.record = *there;
          } else {
            existing.record = record;
            existing.file = file;
          }
          found = by_key.emplace(key, std::move(existing)).first;
        }
        if (auto differs = FirstDifference(found->second.record, record)) {
          if (options.update_records) {
            found->second = BatchRecord{record, file, true};
            continue;
          }
          const std::string earlier =
              found->second.file.empty()
                  ? EarlierFile(view, element, found->second.record, store.root())
                  : found->second.file;
          conflict = "conflicts with " + earlier + ": " + element + " {" +
                     codec::FieldMapToString(RecordKeys(universe, element, record)) + "} has " +
                     differs->field + " " + differs->theirs + " there, " + differs->mine +
                     " here (--update-records replaces the record)";
          break;
        }
      }
      if (!conflict.empty()) {
        skip(conflict);
        continue;
      }
      for (const PendingDataset& d : p.datasets) seen.emplace(d.id, file);
      pending.push_back(std::move(p));
    }
    // Each batch is one atomic write: the RUN if new, the records the
    // registry lacks (element by element in universe order), then the
    // datasets, whose files are placed first and removed again if the write
    // is refused.
    std::vector<codec::EventBody> additions;
    if (create_run) {
      additions.emplace_back(
          codec::CreateCollection{options.run, codec::CollectionType::kRun, "ingested raw files"});
    }
    size_t records_inserted = 0;
    for (const engine::DimensionElement& e : universe.elements()) {
      auto found = records.find(e.name);
      if (found == records.end()) continue;
      codec::InsertDimensionRecords insert{e.name, {}, false};
      codec::InsertDimensionRecords replace{e.name, {}, true};
      for (const auto& [key, batch] : found->second) {
        if (batch.file.empty()) continue;  // The registry's, as it is.
        (batch.replace ? replace : insert).records.push_back(batch.record);
      }
      for (auto* event : {&insert, &replace}) {
        if (event->records.empty()) continue;
        records_inserted += event->records.size();
        additions.emplace_back(std::move(*event));
      }
    }
    // The datasets by type, one event each; each file names its entries in
    // them (several when a file holds a dataset per HDU).
    std::map<std::string, codec::RegisterDatasets> by_type;
    std::vector<std::vector<std::pair<std::string, size_t>>> entries_of(pending.size());
    for (size_t i = 0; i < pending.size(); ++i) {
      for (const PendingDataset& d : pending[i].datasets) {
        auto& event = by_type[d.dataset_type];
        event.run = options.run;
        event.dataset_type = d.dataset_type;
        entries_of[i].emplace_back(d.dataset_type, event.datasets.size());
        event.datasets.push_back(codec::DatasetEntry{
            d.id, d.data_id, codec::Artifact{pending[i].relative, 0, {}, d.hdu}});
      }
    }
    FileBatch batch;
    batch.mode = options.transfer;
    batch.bodies = std::move(additions);
    std::map<std::string, size_t> event_of_type;
    for (auto& [type, event] : by_type) {
      event_of_type[type] = batch.bodies.size();
      batch.bodies.emplace_back(std::move(event));
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      BatchFile file{pending[i].file, pending[i].relative, {}};
      for (const auto& [type, entry] : entries_of[i]) {
        file.entries.push_back(BatchEntry{event_of_type.at(type), entry});
      }
      batch.files.push_back(std::move(file));
    }
    if (!pending.empty()) {
      auto placed = sink(std::move(batch));
      if (!placed.ok()) {
        return placed.status().WithContext("registering " + std::to_string(pending.size()) +
                                           " datasets (files " + std::to_string(start + 1) +
                                           " to " + std::to_string(end) + " were not ingested)");
      }
      report.skipped.insert(report.skipped.end(), placed->skipped.begin(), placed->skipped.end());
      if (placed->last_event != 0) {
        if (report.first_event == 0) report.first_event = placed->first_event;
        report.last_event = placed->last_event;
      }
      if (placed->placed > 0) {
        create_run = false;
        report.records_inserted += records_inserted;
        report.ingested += placed->placed;
        report.datasets += placed->datasets;
      }
    }
    done = end;
    if (options.progress) options.progress(done, files.size());
  }
  return report;
}

}  // namespace starlog::ingest
