#include "cli/import_report.h"

namespace starlog::cli {

void PrintImportReport(Io& io, const ingest::ImportReport& r, bool dry_run, const std::string& verb,
                       const std::string& done) {
  io.out << (dry_run ? "would " + verb : done) << " " << r.datasets << " datasets (" << r.files
         << " files)";
  if (r.last_event != 0) io.out << " (events " << r.first_event << "-" << r.last_event << ")";
  if (!dry_run) io.out << "; " << r.records_inserted << " dimension records inserted";
  if (r.already_present > 0) io.out << "; " << r.already_present << " already there";
  io.out << "\n";
  // Per kind: what is (or would be) added, and what the repository has.
  const auto line = [&](const char* kind, const ingest::ImportCount& c) {
    if (c.added + c.present == 0) return;
    io.out << "  " << kind << ": " << c.added << (dry_run ? " to add" : " added") << ", "
           << c.present << " already there\n";
  };
  line("dataset types", r.dataset_types);
  line("collections", r.collections);
  line("chains", r.chains);
  line("dimension records", r.records);
  io.out << "  datasets: " << r.datasets << (dry_run ? " to add" : " added") << ", "
         << r.already_present << " already there\n";
  line("tagged", r.tagged);
  line("certified", r.certified);
}

}  // namespace starlog::cli
