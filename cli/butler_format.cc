#include "cli/butler_format.h"

#include "cli/common.h"
#include "starlog/ingest/butler_transfer.h"

namespace starlog::cli {

namespace {

std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Status RunButlerImport(const ParsedArgs& args, Io& io, ingest::TransferMode transfer) {
  ingest::ButlerImportOptions options;
  options.transfer = transfer;
  options.no_files = args.Has("no-files");
  options.dry_run = args.Has("dry-run");
  options.read.skip_dimensions = CommaList(args.GetOr("skip-dimensions", ""));
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForWrite(args, &io.err));
  STARLOG_ASSIGN_OR_RETURN(
      auto r, ingest::ImportButlerExport(*store, args.positional(1), options, ActingUser(args)));
  io.out << (options.dry_run ? "would import " : "imported ") << r.datasets << " datasets ("
         << r.files << " files), " << r.dataset_types << " dataset types, " << r.collections
         << " collections, " << r.records << " dimension records, " << r.tagged << " tagged, "
         << r.certified << " certified, " << r.chains_set << " chains set";
  if (r.already_present > 0) io.out << "; " << r.already_present << " datasets already there";
  if (r.last_event != 0) io.out << " (events " << r.first_event << "-" << r.last_event << ")";
  io.out << "\n";
  return Status::OK();
}

}  // namespace starlog::cli
