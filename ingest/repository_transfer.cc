#include "starlog/ingest/repository_transfer.h"

#include <filesystem>
#include <map>
#include <variant>

#include "ingest/bundle_content.h"
#include "ingest/export_selection.h"
#include "starlog/codec/text.h"

namespace starlog::ingest {

namespace {

// The selection as the content a bundle's import plans from: what
// bundle.json would hold, without writing it.
internal::BundleContent ContentOf(internal::ExportSelection selection) {
  internal::BundleContent content;
  content.version = kBundleVersion;
  content.dataset_types = std::move(selection.dataset_types);
  content.collections = std::move(selection.collections);
  content.records = std::move(selection.records);
  for (engine::DatasetRef& ref : selection.datasets) {
    content.datasets.push_back(internal::BundleDataset{ref.id, std::move(ref.dataset_type),
                                                       std::move(ref.run), std::move(ref.data_id),
                                                       std::move(ref.artifact)});
  }
  for (ButlerAssociations& a : selection.associations) {
    if (a.type == codec::CollectionType::kTagged) {
      content.tagged.push_back(internal::BundleTagged{a.collection, std::move(a.ids)});
      continue;
    }
    for (ButlerValidity& v : a.validity_ranges) {
      content.certifications.push_back(
          internal::BundleCertification{a.collection, v.timespan, std::move(v.ids)});
    }
  }
  return content;
}

// What the options leave to the destination must be there already.
Status CheckLeftToDest(const engine::RegistryView& dest, const internal::BundleContent& content,
                       const TransferOptions& options) {
  if (!options.register_dataset_types) {
    for (const codec::RegisterDatasetType& t : content.dataset_types) {
      auto there = dest.GetDatasetType(t.name);
      if (there.ok()) continue;
      if (!there.status().IsNotFound()) return there.status();
      return Status::InvalidArgument("dataset type '" + t.name +
                                     "' is not in the destination; register it there, or "
                                     "transfer with --register-dataset-types; nothing was "
                                     "transferred");
    }
  }
  if (!options.transfer_dimensions) {
    for (const ButlerRecords& r : content.records) {
      for (const codec::FieldMap& record : r.records) {
        STARLOG_ASSIGN_OR_RETURN(auto there, dest.GetDimensionRecord(r.element, record));
        if (there) continue;
        return Status::InvalidArgument(
            "the " + r.element + " record " + codec::FieldMapToString(record) +
            " is not in the destination, and --no-transfer-dimensions leaves records out; "
            "nothing was transferred");
      }
    }
  }
  return Status::OK();
}

// The destination's universe must know what the source's content uses, or
// its events would be refused as they are applied: said here, before
// anything is planned, so that a dry run says it too.
Status CheckUniverse(const engine::Universe& dest, const internal::BundleContent& content,
                     bool with_records) {
  const auto refuse = [](const std::string& what) {
    return Status::InvalidArgument(what +
                                   " in the destination's universe (the repositories' dimension "
                                   "universes differ); nothing was transferred");
  };
  std::map<std::string, std::vector<std::string>, std::less<>> keys_of;
  for (const codec::RegisterDatasetType& t : content.dataset_types) {
    auto keys = dest.RequiredKeys(t.dimensions);
    if (!keys.ok()) {
      return refuse("dataset type '" + t.name + "': " + std::string(keys.status().message()));
    }
    keys_of[t.name] = std::move(*keys);
  }
  for (const ButlerRecords& r : content.records) {
    if (!with_records) break;  // Records left to the destination: nothing sent to check.
    const engine::DimensionElement* element = dest.Find(r.element);
    if (element == nullptr) return refuse("no element '" + r.element + "'");
    for (const codec::FieldMap& record : r.records) {
      for (const auto& [field, value] : record) {
        const engine::ValueType* type = dest.FieldType(*element, field);
        const bool is_int = std::holds_alternative<int64_t>(value);
        if (type == nullptr || (*type == engine::ValueType::kInt) != is_int) {
          return refuse("the " + r.element + " record " + codec::FieldMapToString(record) +
                        " has '" + field + "', which " + r.element + " has not as " +
                        (is_int ? "an integer" : "a string"));
        }
      }
    }
  }
  for (const internal::BundleDataset& d : content.datasets) {
    auto keys = keys_of.find(d.dataset_type);
    if (keys == keys_of.end()) continue;  // A type left to the destination: planned there.
    if (Status valid = dest.ValidateDataId(keys->second, d.data_id); !valid.ok()) {
      return refuse("dataset " + d.id.ToString() + " of '" + d.dataset_type +
                    "': " + std::string(valid.message()));
    }
  }
  return Status::OK();
}

}  // namespace

Result<ImportReport> TransferDatasets(const engine::EventStore& source,
                                      const engine::RegistryView& source_view,
                                      const std::vector<engine::DatasetRef>& refs,
                                      engine::EventStore& dest, const TransferOptions& options,
                                      const FileSink& sink) {
  if (options.mode == TransferMode::kMove || options.mode == TransferMode::kDirect) {
    return Status::InvalidArgument(
        "a transfer leaves the source's files where its registry names them: use copy, "
        "hardlink, symlink or relsymlink");
  }
  std::error_code ec;
  if (std::filesystem::equivalent(source.root(), dest.root(), ec)) {
    return Status::InvalidArgument("the source and the destination are the same repository, " +
                                   codec::Printable(dest.root()));
  }
  STARLOG_ASSIGN_OR_RETURN(internal::ExportSelection selection,
                           internal::SelectForExport(source_view, refs, options.collections));
  internal::BundleContent content = ContentOf(std::move(selection));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView dest_view, dest.View());
  STARLOG_RETURN_IF_ERROR(
      CheckUniverse(dest_view.universe(), content, options.transfer_dimensions));
  STARLOG_RETURN_IF_ERROR(CheckLeftToDest(dest_view, content, options));
  if (!options.transfer_dimensions) content.records.clear();
  internal::ContentSource from;
  from.files = source.root();
  from.repository = true;
  from.name = "source";
  from.verb = "transferred";
  ImportOptions import;
  import.mode = options.mode;
  import.dry_run = options.dry_run;
  import.progress = options.progress;
  return internal::ImportContent(dest, dest_view, content, from, import, sink);
}

Result<ImportReport> TransferDatasets(const engine::EventStore& source,
                                      const engine::RegistryView& source_view,
                                      const std::vector<engine::DatasetRef>& refs,
                                      engine::EventStore& dest, const TransferOptions& options,
                                      const engine::Actor& actor) {
  return TransferDatasets(source, source_view, refs, dest, options, LocalFileSink(dest, actor));
}

}  // namespace starlog::ingest
