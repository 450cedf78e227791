#include "starlog/ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/ingest/fits_header.h"

namespace starlog::ingest {

namespace fs = std::filesystem;

namespace {

// One file, translated and ready to place and register.
struct Pending {
  std::string file;
  std::string dataset_type;
  codec::FieldMap data_id;
  codec::Uuid id;
  std::string relative;  // Where its template puts it.
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
    std::map<std::string, std::map<std::string, codec::FieldMap>>
        records;                              // element -> key -> record
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
      auto header = ReadFitsHeader(file);
      if (!header.ok()) {
        skip(std::string(header.status().message()));
        continue;
      }
      const Translator* translator = nullptr;
      for (const Translator& t : options.translators) {
        if (t.Matches(*header)) {
          translator = &t;
          break;
        }
      }
      if (translator == nullptr) {
        skip("no translator matches its header");
        continue;
      }
      auto values = translator->Translate(*header, universe);
      if (!values.ok()) {
        skip(std::string(values.status().message()));
        continue;
      }
      Pending p;
      p.file = file;
      p.dataset_type =
          options.dataset_type.empty() ? translator->dataset_type : options.dataset_type;
      auto type = view.GetDatasetType(p.dataset_type);
      if (!type.ok()) {
        skip(std::string(type.status().message()));
        continue;
      }
      STARLOG_ASSIGN_OR_RETURN(auto keys, universe.RequiredKeys(type->dimensions));
      std::string missing;
      for (const std::string& k : keys) {
        auto v = values->find(k);
        if (v == values->end()) {
          missing = k;
          break;
        }
        p.data_id.emplace(k, v->second);
      }
      if (!missing.empty()) {
        skip("translator " + translator->source + " gives no '" + missing + "'");
        continue;
      }
      p.id = engine::DeterministicDatasetId(p.dataset_type, p.data_id, options.run);
      if (auto other = seen.find(p.id); other != seen.end()) {
        skip("same data ID as " + other->second);
        continue;
      }
      STARLOG_ASSIGN_OR_RETURN(auto existing, view.GetDataset(p.id));
      if (existing) {
        auto mine = engine::DescribeFile(fs::path(file).parent_path().string(),
                                         fs::path(file).filename().string());
        if (mine.ok() && existing->artifact && existing->artifact->size == mine->size &&
            existing->artifact->checksum == mine->checksum) {
          ++report.already_present;
        } else {
          skip("already registered as " + p.id.ToString() + " with another file");
        }
        continue;
      }
      codec::FieldMap template_values = *values;
      template_values["run"] = options.run;
      template_values["datasetType"] = p.dataset_type;
      auto configured = options.templates.find(p.dataset_type);
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
      // The first file to describe a record describes it (the butler, too,
      // takes an exposure's record from one of its files).
      for (auto& [element, record] : RecordsOf(universe, keys, *values)) {
        STARLOG_ASSIGN_OR_RETURN(auto key_names, universe.RequiredKeys({element}));
        codec::FieldMap keys_only;
        for (const std::string& k : key_names) keys_only.emplace(k, record.at(k));
        records[element].emplace(engine::EncodeDataId(keys_only), record);
      }
      seen.emplace(p.id, file);
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
      for (const auto& [key, record] : found->second) {
        STARLOG_ASSIGN_OR_RETURN(auto there, view.GetDimensionRecord(e.name, record));
        if (!there) insert.records.push_back(record);
      }
      if (insert.records.empty()) continue;
      records_inserted += insert.records.size();
      additions.emplace_back(std::move(insert));
    }
    // The datasets by type, one event each, and each file naming its entry.
    std::map<std::string, std::vector<const Pending*>> by_type;
    for (const Pending& p : pending) by_type[p.dataset_type].push_back(&p);
    FileBatch batch;
    batch.mode = options.transfer;
    batch.bodies = std::move(additions);
    std::map<const Pending*, std::pair<size_t, size_t>> where;
    for (const auto& [type, of_type] : by_type) {
      codec::RegisterDatasets event;
      event.run = options.run;
      event.dataset_type = type;
      for (const Pending* p : of_type) {
        where[p] = {batch.bodies.size(), event.datasets.size()};
        event.datasets.push_back(
            codec::DatasetEntry{p->id, p->data_id, codec::Artifact{p->relative, 0, {}}});
      }
      batch.bodies.emplace_back(std::move(event));
    }
    for (const Pending& p : pending) {
      batch.files.push_back(
          BatchFile{p.file, p.relative, {BatchEntry{where[&p].first, where[&p].second}}});
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
        report.ingested += placed->datasets;
      }
    }
    done = end;
    if (options.progress) options.progress(done, files.size());
  }
  return report;
}

}  // namespace starlog::ingest
