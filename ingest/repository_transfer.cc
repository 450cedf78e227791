#include "starlog/ingest/repository_transfer.h"

#include <filesystem>

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
