#include "cli/butler_format.h"

#include <sstream>

#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/progress.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::cli {

Status RunButlerImport(const ParsedArgs& args, Io& io, ingest::TransferMode transfer) {
  ingest::ButlerImportOptions options;
  options.transfer = transfer;
  options.no_files = args.Has("no-files");
  options.dry_run = args.Has("dry-run");
  options.read.drop_unknown_fields = args.Has("drop-unknown-fields");
  for (const std::string& value : args.GetAll("skip-dimensions")) {
    std::stringstream in(value);
    std::string element;
    while (std::getline(in, element, ',')) {
      if (!element.empty()) options.read.skip_dimensions.push_back(element);
    }
  }
  // As a bundle's: with a service running, its files go to it as open
  // descriptors and it appends; else this process does both.
  STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(args, io));
  ingest::ButlerImportReport r;
  {
    Progress progress(io, "import", "files");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    STARLOG_ASSIGN_OR_RETURN(
        r, ingest::ImportButlerExport(*writer.store, args.positional(1), options, writer.sink));
  }
  io.out << (options.dry_run ? "would import " : "imported ") << r.datasets << " datasets ("
         << r.files << " files), " << r.dataset_types << " dataset types, " << r.collections
         << " collections, " << r.records << " dimension records, " << r.tagged << " tagged, "
         << r.certified << " certified, " << r.chains_set << " chains set";
  if (r.already_present > 0) io.out << "; " << r.already_present << " datasets already there";
  if (!r.dropped_fields.empty()) {
    io.out << "; fields left out:";
    for (const auto& [field, count] : r.dropped_fields)
      io.out << " " << field << " (" << count << ")";
  }
  if (r.last_event != 0) io.out << " (events " << r.first_event << "-" << r.last_event << ")";
  io.out << "\n";
  return Status::OK();
}

}  // namespace starlog::cli
